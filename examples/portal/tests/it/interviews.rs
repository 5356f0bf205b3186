//! The interviews pages.
