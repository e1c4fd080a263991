//! Unit tests of the offline engine: question shapes on each dialect.
