package dev.facebeam.pipelines.results;

import dev.facebeam.results.Metric;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code results} shows: the store, the models and benchmarks (empty: all), the number in every
 * cell, the format (md, html, csv or json), two models to compare (null: none) and a folder for
 * report.html (null: none).
 */
public record ShowResultsParams(Path results, List<String> models, List<String> benchmarks, Metric metric, String format,
    List<String> compare, Path report) {}
