//! What every page shares: the shell ([`layout`]), filters kept in the URL ([`filters`]) and
//! formatting of user input and numbers ([`format`]).

pub(crate) mod filters;
pub(crate) mod format;
pub(crate) mod layout;
