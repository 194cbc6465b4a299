//! `#[asyncheck::mock]` on a realistic trait, used by code under test: calls are
//! recorded per method in owned form, answers come from each method's `AsyncMock`.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
struct User {
    id: u32,
    name: String,
}

fn user(id: u32, name: &str) -> User {
    User {
        id,
        name: name.to_owned(),
    }
}

#[asyncheck::mock]
trait UserStore {
    async fn get(&self, id: u32) -> Option<User>;
    async fn put(&self, user: &User) -> Result<(), String>;
    async fn list(&self) -> Vec<User>;
    async fn rename(&mut self, id: u32, name: &str) -> bool;
    fn count(&self) -> usize;
    fn find(&self, ids: &[u32]) -> impl Future<Output = Vec<User>> + Send;
}

/// Code under test: registers a user unless the id is taken or the store is full.
async fn register(store: &impl UserStore, new: User) -> Result<(), String> {
    if store.count() >= 2 {
        return Err("store is full".to_owned());
    }
    if store.get(new.id).await.is_some() {
        return Err(format!("id {} is taken", new.id));
    }
    store.put(&new).await
}

#[asyncheck::test]
async fn a_new_user_is_looked_up_then_stored() {
    let store = MockUserStore::new();
    store.count.returns(1);
    store.get.returns(None);
    store.put.returns(Ok(()));

    register(&store, user(7, "ada")).await.unwrap();

    store.count.assert_awaited_once();
    store.get.assert_awaited_once_with(&7);
    store.put.assert_awaited_once_with(&user(7, "ada"));
    store.list.assert_not_awaited();
}

#[asyncheck::test]
async fn a_taken_id_is_not_stored() {
    let store = MockUserStore::default();
    store.count.returns(0);
    store
        .get
        .respond_with(|id| (*id == 7).then(|| user(7, "grace")));

    let err = register(&store, user(7, "ada")).await.unwrap_err();

    assert_eq!(err, "id 7 is taken");
    store.put.assert_not_awaited();
}

#[asyncheck::test]
async fn several_arguments_are_a_tuple_and_borrowed_ones_are_owned() {
    let mut store = MockUserStore::new();
    store.rename.returns(true);
    store.find.returns(vec![user(1, "ada")]);
    store.list.returns_seq(vec![vec![], vec![user(1, "ada")]]);

    assert!(store.rename(1, "grace").await);
    assert_eq!(store.find(&[1, 2]).await, [user(1, "ada")]);
    assert_eq!(store.list().await, []);
    assert_eq!(store.list().await, [user(1, "ada")]);

    store
        .rename
        .assert_awaited_once_with(&(1, "grace".to_owned()));
    store.find.assert_awaited_once_with(&vec![1, 2]);
    assert_eq!(store.list.await_count(), 2);
}

#[asyncheck::test]
async fn async_methods_honour_the_delay_in_virtual_time() {
    let store = MockUserStore::new();
    store.get.returns(None);
    store.get.delay(Duration::from_secs(30));
    let (found, took) = asyncheck::timed(store.get(1)).await;
    assert_eq!(found, None);
    assert_eq!(took, Duration::from_secs(30));
}

#[asyncheck::test]
#[should_panic(
    expected = "AsyncMock `UserStore::get` expected to be awaited once with these \
                           arguments\n  expected: awaited once with 8\n    actual: awaited 1 \
                           time(s), with [7]"
)]
async fn a_wrong_argument_names_the_trait_method() {
    let store = MockUserStore::new();
    store.get.returns(None);
    let _ = store.get(7).await;
    store.get.assert_awaited_once_with(&8);
}

#[asyncheck::test]
#[should_panic(expected = "AsyncMock `UserStore::count` was called but has nothing configured")]
async fn an_unconfigured_sync_method_says_so() {
    let store = MockUserStore::new();
    let _ = register(&store, user(1, "ada")).await;
}

#[test]
fn clones_share_the_recorded_calls() {
    let store = MockUserStore::new();
    store.count.returns(5);
    let clone = store.clone();
    assert_eq!(clone.count(), 5);
    assert_eq!(store.count.call_count(), 1);
}
