//! The JSON documents of the commissioner's view, as typed structs.
