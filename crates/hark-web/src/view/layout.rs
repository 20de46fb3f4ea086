//! The page shell: `<head>` with the embedded stylesheet and script, a skip link, the
//! navigation (with the signed-in user and a logout form), and the `<main>` landmark.
//! maud escapes every interpolated value, so user input never becomes markup.

use crate::auth::DashboardUser;
use maud::{html, Markup, DOCTYPE};

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Overview,
    Themes,
    Feedback,
    AiAnswers,
    Settings,
    Account,
}

const NAV: [(Section, &str, &str); 5] = [
    (Section::Overview, "/", "Overview"),
    (Section::Themes, "/themes", "Themes"),
    (Section::Feedback, "/feedback", "Feedback"),
    (Section::AiAnswers, "/ai-answers", "AI answers"),
    (Section::Settings, "/settings", "Settings"),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · hark" }
            link rel="stylesheet" href=(crate::assets::CSS_PATH);
            link rel="icon" href=(crate::assets::ICON_PATH) type="image/svg+xml";
            script src=(crate::assets::JS_PATH) defer {}
        }
    }
}

/// A page of a signed-in user.
pub(crate) fn page(title: &str, user: &DashboardUser, section: Section, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "hark" }
                    nav aria-label="Main" {
                        ul {
                            @for (s, href, label) in NAV {
                                @if s != Section::Settings || user.role().can_admin() {
                                    li {
                                        @if s == section {
                                            a href=(href) aria-current="page" { (label) }
                                        } @else {
                                            a href=(href) { (label) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div.who {
                        a href="/account/password" aria-current=[(section == Section::Account).then_some("page")] {
                            (user.user.email.as_str())
                        }
                        span.role { (user.role().as_str()) }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(user.csrf());
                            button.link type="submit" { "Sign out" }
                        }
                    }
                }
                main #main tabindex="-1" { (content) }
            }
        }
    }
}

/// A page without navigation (sign-in, errors).
pub(crate) fn bare(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare {
                main #main { (content) }
            }
        }
    }
}

/// The hidden CSRF field of a form of this session.
pub(crate) fn csrf_field(user: &DashboardUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf()); }
}
