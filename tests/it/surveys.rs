//! surveys through the facade on both drivers.
