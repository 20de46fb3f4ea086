//! Who said what in a conversation: the customer, or staff answering for the company.
//!
//! Rules (the ingest contract has no role field, so identity fields decide):
//! - the item's own text is the customer's;
//! - a part carrying a product `user_id` is a customer's (staff have no product user id),
//!   unless it is the item owner's in a body-less item (a call whose item author is the rep);
//! - a part with the item owner's identity (user id, email or author) is the customer's when
//!   the item has a body (a ticket the customer opened), and staff's when it has none (a call
//!   transcript filed by the rep);
//! - a part with no identity at all is kept as the customer's (nothing is lost by doubt);
//! - a part with another identity is staff's in a ticket and the customer's in a call.
use crate::analysis::Speaker;

/// Identity fields of an item or part.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity<'a> {
    /// Product user id.
    pub user_id: Option<&'a str>,
    /// Email.
    pub email: Option<&'a str>,
    /// Display name.
    pub author: Option<&'a str>,
}

impl Identity<'_> {
    fn is_empty(&self) -> bool {
        self.user_id.is_none() && self.email.is_none() && self.author.is_none()
    }

    fn same_person(&self, other: &Identity<'_>) -> bool {
        let eq = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
            _ => false,
        };
        eq(self.user_id, other.user_id)
            || eq(self.email, other.email)
            || eq(self.author, other.author)
    }

    /// The key distinct users are counted by: user id, else lower-cased email, else author.
    pub fn user_key(&self) -> Option<String> {
        self.user_id
            .map(str::to_string)
            .or_else(|| self.email.map(str::to_lowercase))
            .or_else(|| self.author.map(str::to_string))
    }
}

/// Who wrote a part of an item with identity `item` (`item_has_body`: the item has its own text).
pub fn part_speaker(item: &Identity<'_>, item_has_body: bool, part: &Identity<'_>) -> Speaker {
    let owner = part.same_person(item);
    if owner {
        return if item_has_body {
            Speaker::Customer
        } else {
            Speaker::Staff
        };
    }
    if part.user_id.is_some() || part.is_empty() || !item_has_body {
        Speaker::Customer
    } else {
        Speaker::Staff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<'a>(
        user_id: Option<&'a str>,
        email: Option<&'a str>,
        author: Option<&'a str>,
    ) -> Identity<'a> {
        Identity {
            user_id,
            email,
            author,
        }
    }

    #[test]
    fn ticket_replies_from_an_agent_are_staff_and_the_customer_follow_up_is_customer() {
        let item = id(Some("user-123"), None, Some("Jane Doe"));
        let agent = id(None, Some("agent@company.com"), Some("Support Agent"));
        let jane = id(Some("user-123"), None, Some("Jane Doe"));
        assert_eq!(part_speaker(&item, true, &agent), Speaker::Staff);
        assert_eq!(part_speaker(&item, true, &jane), Speaker::Customer);
    }

    #[test]
    fn in_a_call_transcript_the_rep_who_filed_it_is_staff_and_the_buyer_is_customer() {
        let item = id(None, None, Some("Sales Rep"));
        let buyer = id(Some("user-456"), None, Some("Buyer"));
        let rep = id(None, None, Some("sales rep"));
        let anonymous_buyer = id(None, None, Some("Prospect"));
        assert_eq!(part_speaker(&item, false, &buyer), Speaker::Customer);
        assert_eq!(part_speaker(&item, false, &rep), Speaker::Staff);
        assert_eq!(
            part_speaker(&item, false, &anonymous_buyer),
            Speaker::Customer
        );
    }

    #[test]
    fn a_part_without_identity_is_kept_as_the_customers() {
        let item = id(Some("u"), None, None);
        assert_eq!(
            part_speaker(&item, true, &Identity::default()),
            Speaker::Customer
        );
    }

    #[test]
    fn user_key_prefers_user_id_then_email_then_author() {
        assert_eq!(
            id(Some("u"), Some("A@x.io"), None).user_key().as_deref(),
            Some("u")
        );
        assert_eq!(
            id(None, Some("A@X.io"), Some("A")).user_key().as_deref(),
            Some("a@x.io")
        );
        assert_eq!(id(None, None, Some("A")).user_key().as_deref(), Some("A"));
    }
}
