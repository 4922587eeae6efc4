//! A failover, as a desk lives it: a primary and a streaming standby made by the test
//! (tests/integration/common/cluster.rs), the primary stopped, the standby promoted.

use crate::common::cluster::{Cluster, Stop};

#[test]
fn a_standby_streams_and_takes_writes_once_promoted() {
    let mut primary = Cluster::primary(&["max_connections = 20"]);
    let standby = primary.standby();
    primary.admin("CREATE TABLE seen (n int); INSERT INTO seen VALUES (1)");
    // Streamed: the row reaches the standby, which refuses writes.
    let mut client = standby.client("postgres");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while client
        .query("SELECT 1 FROM pg_class WHERE relname = 'seen'", &[])
        .unwrap()
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the table never streamed"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let refused = client
        .batch_execute("INSERT INTO seen VALUES (2)")
        .unwrap_err();
    assert_eq!(
        refused.code(),
        Some(&postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION)
    );
    primary.stop(Stop::Immediate);
    standby.promote();
    standby.admin("INSERT INTO seen VALUES (3)");
    let max_connections: String = standby
        .client("postgres")
        .query_one("SHOW max_connections", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        max_connections, "20",
        "the standby has the primary's settings"
    );
    assert_ne!(primary.port(), standby.port());
}

#[test]
fn a_test_cluster_offers_tls_when_asked() {
    let cluster = Cluster::primary(&["ssl = on"]);
    let ssl: String = cluster
        .client("postgres")
        .query_one("SHOW ssl", &[])
        .unwrap()
        .get(0);
    assert_eq!(ssl, "on", "{}", cluster.log());
}
