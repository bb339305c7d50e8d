//! memor facade.
