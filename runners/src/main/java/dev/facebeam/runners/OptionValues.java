package dev.facebeam.runners;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every {@code --name=value} checked against the type its options interface declares, before Beam
 * sees it (Beam's parser answers in Jackson's words and never names the flag): one line,
 * "--flag: what is wrong (allowed: …)". Also a flag given twice and a flag no interface knows.
 */
final class OptionValues {
  private OptionValues() {}

  /** The property types of the command's options and of the runners' (Flink's parallelism, …). */
  static Map<String, Class<?>> types(Class<?>... interfaces) {
    Map<String, Class<?>> out = new HashMap<>();
    for (Class<?> i : interfaces) {
      for (Method m : i.getMethods()) {
        String n = m.getName();
        if (m.getParameterCount() == 0 && ((n.startsWith("get") && n.length() > 3) || (n.startsWith("is") && n.length() > 2))) {
          String p = n.startsWith("get") ? n.substring(3) : n.substring(2);
          out.putIfAbsent(Character.toLowerCase(p.charAt(0)) + p.substring(1), m.getReturnType());
        }
      }
    }
    return out;
  }

  /** Checks {@code args} (each {@code --name[=value]}); {@code mine} are the command's own names, for suggestions. */
  static void check(List<String> args, Map<String, Class<?>> types, Set<String> mine) {
    Map<String, String> seen = new LinkedHashMap<>();
    for (String a : args) {
      String[] kv = a.substring(2).split("=", 2);
      String name = kv[0];
      String value = kv.length > 1 ? kv[1] : null;
      if (seen.containsKey(name)) {
        throw new UsageException("--" + name + " is given twice (" + shown(seen.get(name)) + " and " + shown(value) + "): give it once");
      }
      seen.put(name, value);
      Class<?> type = types.get(name);
      if (type == null) {
        String near = nearest(name, mine);
        throw new UsageException("--" + name + ": no such option" + (near == null ? "" : " (did you mean --" + near + "?)"));
      }
      String bad = problem(type, value);
      if (bad != null) {
        throw new UsageException("--" + name + ": " + bad);
      }
    }
  }

  private static String shown(String v) {
    return v == null ? "no value" : "'" + v + "'";
  }

  static String problem(Class<?> type, String value) {
    if (type == boolean.class || type == Boolean.class) {
      return value == null || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false") ? null
          : "'" + value + "' is not a yes/no value (allowed: true, false)";
    }
    if (value == null) {
      return "needs a value (--name=value)";
    }
    if (value.isBlank()) {
      // "--input=" would otherwise name the working directory (Path.of("")).
      return "is empty: give it a value, or leave the flag out for its default";
    }
    String v = value.strip();
    try {
      if (type == int.class || type == Integer.class) {
        Integer.parseInt(v);
      } else if (type == long.class || type == Long.class) {
        Long.parseLong(v);
      } else if (type == float.class || type == Float.class || type == double.class || type == Double.class) {
        double d = Double.parseDouble(v);
        if (!Double.isFinite(d)) {
          return "'" + value + "' is not a finite number";
        }
        if ((type == float.class || type == Float.class) && Math.abs(d) > Float.MAX_VALUE) {
          return "'" + value + "' is too large";
        }
      } else if (type.isEnum()) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
        if (!names.contains(v)) {
          return "'" + value + "' is not one of the choices (allowed: " + String.join(", ", names) + ")";
        }
      }
    } catch (NumberFormatException e) {
      boolean whole = type == int.class || type == Integer.class || type == long.class || type == Long.class;
      if (whole && v.matches("[-+]?\\d+")) {
        return "'" + value + "' is out of range (allowed: at most " + (type == long.class || type == Long.class ? Long.MAX_VALUE : Integer.MAX_VALUE) + ")";
      }
      return "'" + value + "' is not " + (whole ? "a whole number" : "a number");
    }
    return null;
  }

  /** The closest of {@code names} within two edits, or null. */
  static String nearest(String name, Set<String> names) {
    String best = null;
    int bestD = 3;
    for (String n : new ArrayList<>(names).stream().sorted().toList()) {
      int d = distance(name.toLowerCase(Locale.ROOT), n.toLowerCase(Locale.ROOT));
      if (d < bestD) {
        bestD = d;
        best = n;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The getters a command's options declare, its own interface's and those it inherits from ours. */
  static List<Method> ownGetters(Class<?> options) {
    List<Method> out = new ArrayList<>();
    java.util.ArrayDeque<Class<?>> todo = new java.util.ArrayDeque<>(List.of(options));
    Set<Class<?>> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Class<?> c = todo.pop();
      if (!seen.add(c) || !c.getName().startsWith("dev.facebeam.")) {
        continue;
      }
      for (Method m : c.getDeclaredMethods()) {
        if ((m.getName().startsWith("get") && m.getName().length() > 3) || (m.getName().startsWith("is") && m.getName().length() > 2)) {
          out.add(m);
        }
      }
      todo.addAll(List.of(c.getInterfaces()));
    }
    return out;
  }

  static Set<String> propertyNames(Class<?> options) {
    Set<String> names = new HashSet<>();
    for (Method m : ownGetters(options)) {
      String n = m.getName();
      if ((n.startsWith("get") && n.length() > 3) || (n.startsWith("is") && n.length() > 2)) {
        String p = n.startsWith("get") ? n.substring(3) : n.substring(2);
        names.add(Character.toLowerCase(p.charAt(0)) + p.substring(1));
      }
    }
    return names;
  }
}
