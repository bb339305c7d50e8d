//! memor's data model: responses, prompts, sessions and templates.

pub mod date;
pub mod estimate;
