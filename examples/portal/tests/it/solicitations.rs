//! The solicitations pages.
