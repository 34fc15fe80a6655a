package dev.facebeam.runners;

import org.apache.beam.sdk.options.PipelineOptions;

/** A facebeam command: its name, one line of help, its options interface and what it does. */
record Command(String name, String summary, Class<? extends PipelineOptions> options, Action action, boolean pipeline) {

  /** Runs the command; returns the line printed on success. */
  interface Action {
    String run(PipelineOptions options) throws Exception;
  }
}
