//! `ohgov demo --scale N`: N further providers, generated with realistic and varied records, all
//! contracted to the demo commissioner.
