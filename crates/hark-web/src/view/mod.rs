//! What every page shares: the shell ([`layout`]), filters kept in the URL ([`filters`]),
//! formatting of user input and numbers ([`format`]) and the chips of analysed values
//! ([`chips`]).

pub(crate) mod chips;
pub(crate) mod filters;
pub(crate) mod format;
pub(crate) mod layout;
