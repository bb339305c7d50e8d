//! Searching messages (in progress).
