//! The NUT side of a UPS: the variable tree a driver publishes ([`vars`]) and `ups.status` /
//! `ups.alarm` as built from status tokens ([`status`]).

pub mod status;
pub mod vars;
