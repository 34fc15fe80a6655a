package dev.facebeam.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A config file's JSON Schema (draft 2020-12: {@code facebeam/train.schema.json} for training,
 * {@code facebeam/run.schema.json} for {@code run}) and the subset of it we enforce: type, enum,
 * minimum, maximum, exclusiveMinimum, items, required, nested objects' properties, and
 * additionalProperties = false — an unknown (misspelt) field is an error naming it. Command-line
 * overrides are typed by the same schema.
 */
public final class ConfigSchema {
  private final String resource;
  private final JsonObject schema;

  private ConfigSchema(String resource, JsonObject schema) {
    this.resource = resource;
    this.schema = schema;
  }

  /** The schema at a class-path resource such as {@code /facebeam/run.schema.json}. */
  public static ConfigSchema load(String resource) {
    try (InputStream in = ConfigSchema.class.getResourceAsStream(resource)) {
      return new ConfigSchema(resource, JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject());
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the config schema " + resource + " is missing from the class path", e);
    }
  }

  /** A config file as a JSON object: a missing file or one that is not a JSON object is an error naming it. */
  public static JsonObject readObject(java.nio.file.Path file) {
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new dev.facebeam.UserInputException(file.toString(), "no such config file (" + file.toAbsolutePath() + ")");
    }
    try {
      com.google.gson.JsonElement e = dev.facebeam.io.Json.parseStrict(java.nio.file.Files.readString(file, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException("the file holds " + (e.isJsonArray() ? "an array" : "a " + e) + ", not an object");
      }
      return e.getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw new dev.facebeam.UserInputException(file.toString(), "cannot read the config as a JSON object: " + e.getMessage(), e);
    }
  }

  public String resource() {
    return resource;
  }

  public JsonObject properties() {
    return schema.getAsJsonObject("properties");
  }

  /** Every violation, each naming the field; empty when the config is valid. */
  public List<String> validate(JsonObject config) {
    List<String> errors = new ArrayList<>();
    checkObject("", config, schema, errors);
    return errors;
  }

  private static void checkObject(String prefix, JsonObject value, JsonObject rule, List<String> errors) {
    JsonObject props = rule.has("properties") ? rule.getAsJsonObject("properties") : new JsonObject();
    if (rule.has("required")) {
      for (JsonElement r : rule.getAsJsonArray("required")) {
        if (!value.has(r.getAsString())) {
          errors.add("'" + prefix + r.getAsString() + "' is required");
        }
      }
    }
    boolean unknown = false;
    for (Map.Entry<String, JsonElement> e : value.entrySet()) {
      JsonObject sub = props.getAsJsonObject(e.getKey());
      if (sub == null) {
        errors.add("unknown field '" + prefix + e.getKey() + "'");
        unknown = true;
        continue;
      }
      check(prefix + e.getKey(), e.getValue(), sub, errors);
    }
    if (unknown) {
      errors.add("known fields" + (prefix.isEmpty() ? "" : " of '" + prefix.substring(0, prefix.length() - 1) + "'") + ": "
          + String.join(", ", props.keySet()));
    }
  }

  private static void check(String name, JsonElement v, JsonObject rule, List<String> errors) {
    String type = rule.get("type").getAsString();
    boolean ok = switch (type) {
      case "string" -> v.isJsonPrimitive() && v.getAsJsonPrimitive().isString();
      case "boolean" -> v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean();
      case "number" -> v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber();
      case "integer" -> v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()
          && v.getAsDouble() == Math.rint(v.getAsDouble());
      case "array" -> v.isJsonArray();
      case "object" -> v.isJsonObject();
      default -> true;
    };
    if (!ok) {
      errors.add("'" + name + "' must be " + (type.equals("array") ? "an array" : type.equals("object") ? "an object"
          : "a" + (type.equals("integer") ? "n " : " ") + type) + ", got " + v);
      return;
    }
    if (v.isJsonObject()) {
      checkObject(name + ".", v.getAsJsonObject(), rule, errors);
      return;
    }
    if (rule.has("enum") && !rule.getAsJsonArray("enum").contains(v)) {
      errors.add("'" + name + "' must be one of " + rule.getAsJsonArray("enum") + ", got " + v);
    }
    if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
      double d = v.getAsDouble();
      if (rule.has("minimum") && d < rule.get("minimum").getAsDouble()) {
        errors.add("'" + name + "' must be ≥ " + rule.get("minimum") + ", got " + v);
      }
      if (rule.has("maximum") && d > rule.get("maximum").getAsDouble()) {
        errors.add("'" + name + "' must be ≤ " + rule.get("maximum") + ", got " + v);
      }
      if (rule.has("exclusiveMinimum") && d <= rule.get("exclusiveMinimum").getAsDouble()) {
        errors.add("'" + name + "' must be > " + rule.get("exclusiveMinimum") + ", got " + v);
      }
    }
    if (v.isJsonArray() && rule.has("items")) {
      JsonArray a = v.getAsJsonArray();
      for (int i = 0; i < a.size(); i++) {
        check(name + "[" + i + "]", a.get(i), rule.getAsJsonObject("items"), errors);
      }
    }
  }

  /** A command-line value typed as the schema types the field; an unknown field is an error. */
  public JsonElement parse(String name, String value) {
    JsonObject rule = properties().getAsJsonObject(name);
    if (rule == null) {
      throw new IllegalArgumentException("unknown config field --" + name + " (known: " + String.join(", ", properties().keySet()) + ")");
    }
    return typed(rule, value.strip());
  }

  private static JsonElement typed(JsonObject rule, String value) {
    try {
      return switch (rule.get("type").getAsString()) {
        case "integer" -> new JsonPrimitive(Long.parseLong(value));
        case "number" -> new JsonPrimitive(Double.parseDouble(value));
        case "boolean" -> {
          if (!value.equals("true") && !value.equals("false")) {
            throw new NumberFormatException("not true/false: " + value);
          }
          yield new JsonPrimitive(Boolean.parseBoolean(value));
        }
        case "array" -> {
          JsonArray a = new JsonArray();
          for (String part : value.isEmpty() ? new String[0] : value.split(",")) {
            a.add(typed(rule.getAsJsonObject("items"), part));
          }
          yield a;
        }
        default -> new JsonPrimitive(value);
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a " + rule.get("type").getAsString() + ": " + e.getMessage());
    }
  }
}
