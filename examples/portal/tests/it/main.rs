//! Integration tests of the portal: `app(state)` driven with `oneshot` over a temp data
//! directory holding the full demo group (seeded once per run, copied per test).
#![allow(clippy::unwrap_used)]

mod support;

mod admin;
mod admin_content;
mod annual_report;
mod catalogue;
mod forum;
mod interaction;
mod interviews;
mod login;
mod pages;
mod public_content;
mod search;
mod selfcheck;
mod services;
mod solicitations;
mod stats;
mod surveys;
