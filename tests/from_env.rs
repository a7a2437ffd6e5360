//! `Client::from_env`: one test in its own binary, since it sets process environment
//! variables (no other test runs concurrently in this process).

use galileo_export::{Client, Error};

#[test]
fn from_env_reads_key_and_url() {
    // Nothing set: a clear error, not a 401 later.
    std::env::remove_var("GALILEO_API_KEY");
    std::env::remove_var("GALILEO_API_URL");
    std::env::remove_var("GALILEO_CONSOLE_URL");
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(err.to_string().contains("GALILEO_API_KEY"), "{err}");

    // Key only: the spec's server.
    std::env::set_var("GALILEO_API_KEY", "env-secret-key");
    let client = Client::from_env().unwrap();
    assert_eq!(client.base_url(), galileo_export::spec::DEFAULT_BASE_URL);
    assert!(!format!("{client:?}").contains("env-secret-key"));

    // The console URL gives the API URL the way Galileo's Python SDK derives it.
    std::env::set_var("GALILEO_CONSOLE_URL", "https://console.acme.galileo.ai/");
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        "https://api.acme.galileo.ai"
    );

    // An explicit API URL wins.
    std::env::set_var("GALILEO_API_URL", "http://127.0.0.1:8088/");
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        "http://127.0.0.1:8088"
    );

    std::env::remove_var("GALILEO_API_KEY");
    std::env::remove_var("GALILEO_API_URL");
    std::env::remove_var("GALILEO_CONSOLE_URL");
}
