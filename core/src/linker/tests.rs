//! Unit tests of the schema linker.
