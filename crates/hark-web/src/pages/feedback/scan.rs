//! Reading items page by page with their analysis, keeping those of a category and sentiment.
//!
//! The store filters items by category and sentiment itself ([`ItemFilter`]), so each store
//! page is kept whole; [`Keep`] checks the rows once more against the analysis that was read
//! with them (an item re-analysed between the two reads is then left out rather than shown
//! under a filter it no longer matches), and the scan reads on while that emptied a page.

use crate::{WebError, WebState};
use hark_core::analysis::{Category, SentimentLabel, StoredAnalysis, Subject};
use hark_core::{ItemCursor, ItemFilter, ProjectId, StoredItem};
use std::future::Future;

/// An item with its analysis (`None` until analysed).
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The item (without its parts).
    pub item: StoredItem,
    /// Its category, sentiment and mentions.
    pub analysis: Option<StoredAnalysis>,
}

impl Row {
    /// The cursor that continues the listing after this row.
    pub fn cursor(&self) -> ItemCursor {
        ItemCursor {
            created_at: self.item.created_at.as_micros(),
            id: self.item.id.0,
        }
    }
}

/// The analysis filters applied to fetched pages; an item not analysed yet matches only when
/// neither is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Keep {
    /// Only items of this category.
    pub category: Option<Category>,
    /// Only items of this overall sentiment.
    pub sentiment: Option<SentimentLabel>,
}

impl Keep {
    /// True when no analysis filter is set (every row is kept).
    pub fn is_open(&self) -> bool {
        self.category.is_none() && self.sentiment.is_none()
    }

    /// Whether a row with this analysis is kept.
    pub fn matches(&self, analysis: Option<&StoredAnalysis>) -> bool {
        if self.is_open() {
            return true;
        }
        let Some(a) = analysis else { return false };
        self.category.is_none_or(|c| c == a.category)
            && self.sentiment.is_none_or(|s| s == a.sentiment.label)
    }
}

/// A store page: its rows and the cursor after it (`None` at the end).
pub(crate) type Fetched = (Vec<Row>, Option<ItemCursor>);

/// One page of the list.
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    /// The kept rows, newest first.
    pub rows: Vec<Row>,
    /// Where the next page starts; `None` at the end.
    pub next: Option<ItemCursor>,
    /// Store pages read.
    pub pages: u32,
    /// The scan stopped at its bound of store pages, not at a full page or the end.
    pub bounded: bool,
}

/// Reads store pages from `start` through `fetch` (a page and the cursor after it) until
/// `want` rows are kept, the listing ends, or `max_pages` pages were read. The next cursor
/// continues right after the last row kept, so no row is skipped or shown twice.
pub(crate) async fn scan<F, Fut, E>(
    mut fetch: F,
    keep: Keep,
    start: Option<ItemCursor>,
    want: usize,
    max_pages: u32,
) -> Result<Scan, E>
where
    F: FnMut(Option<ItemCursor>) -> Fut,
    Fut: Future<Output = Result<Fetched, E>>,
{
    let mut rows = Vec::new();
    let mut cursor = start;
    let mut pages = 0;
    loop {
        let (page, next) = fetch(cursor).await?;
        pages += 1;
        let len = page.len();
        for (i, row) in page.into_iter().enumerate() {
            if !keep.matches(row.analysis.as_ref()) {
                continue;
            }
            rows.push(row);
            if rows.len() >= want {
                // The page's own cursor when this was its last row: it also tells the end.
                let next = if i + 1 == len {
                    next
                } else {
                    rows.last().map(Row::cursor)
                };
                return Ok(Scan {
                    rows,
                    next,
                    pages,
                    bounded: false,
                });
            }
        }
        match next {
            None => {
                return Ok(Scan {
                    rows,
                    next: None,
                    pages,
                    bounded: false,
                })
            }
            Some(n) if pages >= max_pages => {
                return Ok(Scan {
                    rows,
                    next: Some(n),
                    pages,
                    bounded: true,
                })
            }
            Some(n) => cursor = Some(n),
        }
    }
}

/// One store page of the project's items with each item's analysis.
pub(crate) async fn fetch_page(
    state: &WebState,
    project: &ProjectId,
    filter: &ItemFilter,
    cursor: Option<ItemCursor>,
    limit: u32,
) -> Result<Fetched, WebError> {
    let store = state.store();
    let page = store.list_items(project, filter, cursor, limit).await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for item in page.items {
        let analysis = store.analysis(project, Subject::Item(item.id.0)).await?;
        rows.push(Row { item, analysis });
    }
    Ok((rows, page.next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::analysis::Sentiment;
    use hark_core::{ItemId, SourceId, Timestamp};

    /// Items 1..=n, newest (highest id) first, every third a bug, the rest praise.
    fn rows(n: i64) -> Vec<Row> {
        (1..=n)
            .rev()
            .map(|id| Row {
                item: StoredItem {
                    id: ItemId(id),
                    source_id: SourceId::new("src"),
                    unique_id: format!("u{id}"),
                    body: Some(format!("text {id}")),
                    author: None,
                    email: None,
                    user_id: None,
                    url: None,
                    created_at: Timestamp::from_micros(id * 10),
                    received_at: Timestamp::from_micros(id * 10),
                    updated_at: Timestamp::from_micros(id * 10),
                    parts_count: 0,
                    conversation_parts: None,
                },
                analysis: Some(StoredAnalysis {
                    sentiment: Sentiment::from_score(0.0),
                    category: if id % 3 == 0 {
                        Category::Bug
                    } else {
                        Category::Praise
                    },
                    category_source: "model",
                    confidence: 1.0,
                    analyzed_at: Timestamp::from_micros(0),
                    mentions: vec![],
                }),
            })
            .collect()
    }

    /// A store over `all` answering pages of `size` after a cursor, as `list_items` does.
    fn store(
        all: Vec<Row>,
        size: usize,
    ) -> impl FnMut(Option<ItemCursor>) -> std::future::Ready<Result<Fetched, ()>> {
        move |cursor| {
            let rest: Vec<Row> = all
                .iter()
                .filter(|r| {
                    cursor.is_none_or(|c| {
                        (r.cursor().created_at, r.cursor().id) < (c.created_at, c.id)
                    })
                })
                .cloned()
                .collect();
            let page: Vec<Row> = rest.iter().take(size).cloned().collect();
            let next = (rest.len() > size)
                .then(|| page.last().map(Row::cursor))
                .flatten();
            std::future::ready(Ok((page, next)))
        }
    }

    fn ids(s: &Scan) -> Vec<i64> {
        s.rows.iter().map(|r| r.item.id.0).collect()
    }

    fn block_on<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn without_filters_one_store_page_is_one_page() {
        let s = block_on(scan(store(rows(7), 3), Keep::default(), None, 3, 10)).expect("scan");
        assert_eq!((ids(&s), s.pages), (vec![7, 6, 5], 1));
        let c = s.next.expect("more");
        let s = block_on(scan(store(rows(7), 3), Keep::default(), Some(c), 3, 10)).expect("scan");
        assert_eq!(ids(&s), [4, 3, 2]);
        let s = block_on(scan(store(rows(7), 3), Keep::default(), s.next, 3, 10)).expect("scan");
        assert_eq!((ids(&s), s.next), (vec![1], None));
    }

    #[test]
    fn filtered_pages_continue_after_the_last_kept_row() {
        let bugs = Keep {
            category: Some(Category::Bug),
            ..Keep::default()
        };
        // Bugs are 21, 18, 15, 12, 9, 6, 3.
        let s = block_on(scan(store(rows(21), 4), bugs, None, 2, 10)).expect("scan");
        assert_eq!(ids(&s), [21, 18]);
        let s = block_on(scan(store(rows(21), 4), bugs, s.next, 2, 10)).expect("scan");
        assert_eq!(ids(&s), [15, 12], "nothing skipped, nothing repeated");
        let s = block_on(scan(store(rows(21), 4), bugs, s.next, 5, 10)).expect("scan");
        assert_eq!((ids(&s), s.next, s.bounded), (vec![9, 6, 3], None, false));
    }

    #[test]
    fn a_scan_stops_at_its_bound_and_says_so() {
        let questions = Keep {
            category: Some(Category::Question),
            ..Keep::default()
        };
        let s = block_on(scan(store(rows(50), 5), questions, None, 25, 3)).expect("scan");
        assert!(s.rows.is_empty());
        assert_eq!((s.pages, s.bounded), (3, true));
        assert_eq!(s.next.map(|c| c.id), Some(36), "continues where it stopped");
    }

    #[test]
    fn unanalysed_items_match_only_an_open_filter() {
        let keep = Keep {
            sentiment: Some(SentimentLabel::Neutral),
            ..Keep::default()
        };
        assert!(!keep.matches(None));
        assert!(Keep::default().matches(None));
    }
}
