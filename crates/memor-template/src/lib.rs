//! Python str.format.
