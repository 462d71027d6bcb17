//! A virtual UPS (in progress).
