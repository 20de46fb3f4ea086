//! Server-rendered SVG charts: axes, labels, and a text alternative (a `<title>`/`<desc>` and
//! a visually hidden table), so they need no chart library, no script and no inline style
//! (the CSP forbids it; colours come from the stylesheet's classes).

mod bars;

pub(crate) use bars::{bar_chart, Bar};
