//! Online services through the facade (issue 6): authorize, validate, write with audit and outbox.
