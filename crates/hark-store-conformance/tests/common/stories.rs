// The conformance stories, one test each, for a test file that defines
// `async fn fresh() -> (Guard, Arc<dyn Store>)` (a new, empty store; the guard keeps it alive).
// Included (not a module) so that each backend's file runs the same list.

macro_rules! story {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (_guard, store) = fresh().await;
            hark_store_conformance::feedback::$name(store).await;
        }
    };
}

story!(tenancy);
story!(upsert_merges);
story!(parts_order_and_append);
story!(item_failures_write_nothing);
story!(concurrent_upserts_of_one_item);
story!(failing_writes_do_not_disturb_others);
story!(listing_filters_and_pages);
story!(projects_are_isolated);
story!(delete_and_erase);

macro_rules! chat_story {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (_guard, store) = fresh().await;
            hark_store_conformance::chat::$name(store).await;
        }
    };
}

chat_story!(applications_and_keys);
chat_story!(feedback_upsert_rules);
chat_story!(strict_and_lenient_applications);
chat_story!(concurrent_feedback_of_one_user);
chat_story!(messages_and_conversations);
chat_story!(feedback_listing_filters_and_pages);
chat_story!(feedback_stats);
chat_story!(erasure_removes_chat_data);
chat_story!(chat_projects_are_isolated);

macro_rules! analysis_story {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (_guard, store) = fresh().await;
            hark_store_conformance::analysis::$name(store).await;
        }
    };
}

analysis_story!(queue_claims_texts_with_speakers_and_leases);
analysis_story!(results_apply_only_at_the_current_generation);
analysis_story!(manual_categories_and_examples);
analysis_story!(deletion_and_erasure_forget_the_analysis);
analysis_story!(chat_feedback_comments_are_analysed);
analysis_story!(themes_lifecycle);
analysis_story!(metrics_and_mention_listing);
analysis_story!(analysis_projects_are_isolated);
analysis_story!(broad_themes_group_themes);
analysis_story!(items_filtered_by_analysis);

macro_rules! users_story {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (_guard, store) = fresh().await;
            hark_store_conformance::users::$name(store).await;
        }
    };
}

users_story!(users_and_roles);
users_story!(password_changes_end_other_sessions);
users_story!(deleting_a_user_ends_its_sessions);
users_story!(sessions_lifecycle);
users_story!(expired_sessions_are_deleted);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_stories_share_one_store() {
    let (_guard, store) = fresh().await;
    hark_store_conformance::feedback::run_all(store.clone()).await;
    hark_store_conformance::chat::run_all(store.clone()).await;
    hark_store_conformance::analysis::run_all(store.clone()).await;
    hark_store_conformance::users::run_all(store.clone()).await;
    hark_store_conformance::webhooks::run_all(store).await;
}

macro_rules! webhook_story {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (_guard, store) = fresh().await;
            hark_store_conformance::webhooks::$name(store).await;
        }
    };
}

webhook_story!(endpoints_are_scoped_to_their_project);
webhook_story!(writes_emit_their_events);
webhook_story!(claims_attempts_and_resends);
