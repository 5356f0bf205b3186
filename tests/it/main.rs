//! Cross-crate integration tests: one binary (see DESIGN.md: one link, not many).
#![allow(clippy::unwrap_used)]

mod audit_outbox;
mod auth;
mod columns;
mod content;
mod permissions;
mod search;
mod sites;
mod tickets;
