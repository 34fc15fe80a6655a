package dev.facebeam.train;

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
 * The train config's JSON Schema ({@code facebeam/train.schema.json}, draft 2020-12) and the subset
 * of it we enforce: type, enum, minimum, maximum, exclusiveMinimum, items, required,
 * additionalProperties = false. Command-line overrides are typed by the same schema.
 */
final class ConfigSchema {
  static final String RESOURCE = "/facebeam/train.schema.json";
  private final JsonObject schema;

  private ConfigSchema(JsonObject schema) {
    this.schema = schema;
  }

  static ConfigSchema load() {
    try (InputStream in = ConfigSchema.class.getResourceAsStream(RESOURCE)) {
      return new ConfigSchema(JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject());
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the train config schema " + RESOURCE + " is missing from the class path", e);
    }
  }

  JsonObject properties() {
    return schema.getAsJsonObject("properties");
  }

  /** Every violation, each naming the field; empty when the config is valid. */
  List<String> validate(JsonObject config) {
    List<String> errors = new ArrayList<>();
    for (JsonElement r : schema.getAsJsonArray("required")) {
      if (!config.has(r.getAsString())) {
        errors.add("'" + r.getAsString() + "' is required");
      }
    }
    boolean unknown = false;
    for (Map.Entry<String, JsonElement> e : config.entrySet()) {
      JsonObject rule = properties().getAsJsonObject(e.getKey());
      if (rule == null) {
        errors.add("unknown field '" + e.getKey() + "'");
        unknown = true;
        continue;
      }
      check(e.getKey(), e.getValue(), rule, errors);
    }
    if (unknown) {
      errors.add("known fields: " + String.join(", ", properties().keySet()));
    }
    return errors;
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
      default -> true;
    };
    if (!ok) {
      errors.add("'" + name + "' must be " + (type.equals("array") ? "an array" : "a" + (type.equals("integer") ? "n " : " ") + type) + ", got " + v);
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
  JsonElement parse(String name, String value) {
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
