//! memor presets (generated).
