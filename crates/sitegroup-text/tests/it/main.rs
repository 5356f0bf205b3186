//! Integration tests of sitegroup-text in one binary (DESIGN.md: one link, not many).
#![allow(clippy::unwrap_used)]

mod checks;
mod sanitize;
mod scan;
