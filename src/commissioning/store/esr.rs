//! The provider's ESR declaration: how its information system exchanges data with ESR.
