package dev.facebeam.codec.pickle;

/** A persistent id (BINPERSID): an object the loader finds outside the pickle, as a TorchScript archive's storages. */
public record PyPersistentId(PyTuple id) {}
