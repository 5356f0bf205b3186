//! Interviews through the facade (issue 5): authorize, validate, write with audit and outbox.
