//! The surveys pages.
