"""The file stores on local disk (tmp_path) and on S3 (the moto server): the same
operations give the same answers, every S3 write asks for server-side encryption, and
the `storage` resource makes one boto3 client only when a root is on S3."""

from __future__ import annotations

import io
import uuid
from datetime import UTC

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakehouse_assets.encryption import S3Encryption
from lakehouse_assets.resources.s3_store import S3Store
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.resources.storage import LocalStore, store_for
from lakehouse_assets.resources.storage_resource import LakehouseStorage


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.slow)])
def where(request, tmp_path):
    """(store, root) of an empty folder on local disk or an empty S3 prefix."""
    if request.param == "local":
        return store_for(str(tmp_path / "root")), str(tmp_path / "root")
    moto = request.getfixturevalue("moto_s3")
    bucket = f"store-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(bucket)
    root = f"s3://{bucket}/root"
    return store_for(root, moto.client(), S3Encryption()), root


def names(store, folder: str) -> list[str]:
    return [entry.uri[len(folder) + 1:] for entry in store.list_tree(folder)]


def test_the_store_follows_the_scheme():
    assert isinstance(store_for("/data/landing"), LocalStore)
    assert isinstance(store_for("file:/data/landing"), LocalStore)
    assert isinstance(store_for("s3://bucket/landing"), S3Store)
    assert isinstance(store_for("s3a://bucket/landing"), S3Store)


def test_listing_and_stat(where):
    store, root = where
    assert not store.folder_exists(root) and list(store.list_tree(root)) == []
    assert store.stat(f"{root}/a/x.csv") is None
    for relative, data in (("a/x.csv", b"x\n"), ("a/deep/y.csv", b"yy\n"), ("a/_SUCCESS", b""), ("ab/z.csv", b"z")):
        store.put_bytes(f"{root}/{relative}", data)

    assert store.folder_exists(f"{root}/a") and not store.folder_exists(f"{root}/b")
    # Every file at any depth, in name order, and only below the folder (not `ab`).
    assert names(store, f"{root}/a") == ["_SUCCESS", "deep/y.csv", "x.csv"]
    entries = {entry.uri: entry for entry in store.list_tree(root)}
    info = store.stat(f"{root}/a/deep/y.csv")
    assert info is not None and info.size == 3 and entries[info.uri].size == 3
    assert info.modified_at.tzinfo is not None
    assert abs((info.modified_at - entries[info.uri].modified_at).total_seconds()) < 1
    if isinstance(store, S3Store):
        assert info.etag and entries[info.uri].etag == info.etag
    else:
        assert info.etag is None


def test_reading_streams_and_seeks(where):
    store, root = where
    store.put_bytes(f"{root}/lines.txt", b"first\nsecond\n")
    with store.open(f"{root}/lines.txt") as stream:
        assert stream.read(6) == b"first\n" and stream.read() == b"second\n"

    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": pa.array([str(i) for i in range(1000)])}), buffer)
    store.put_bytes(f"{root}/t.parquet", buffer.getvalue())
    for size in (len(buffer.getvalue()), None):  # a known size saves a HEAD on S3
        with store.open_seekable(f"{root}/t.parquet", size) as handle:
            assert pq.ParquetFile(handle).metadata.num_rows == 1000
            handle.seek(-4, io.SEEK_END)
            assert handle.read() == b"PAR1"


def test_staged_files_appear_whole_and_only_on_success(where):
    store, root = where
    target = f"{root}/orders/date=2024-03-01/o.csv"
    with store.staged(target, [f"{root}/orders/date=2024-03-01/o-copy.csv"]) as path:
        path.write_bytes(b"order_id\n1\n")
        # While writing, a listing sees no file of that name (locally only a hidden partial).
        assert [n for n in names(store, root) if not n.rsplit("/", 1)[-1].startswith(".")] == []
    assert names(store, root) == ["orders/date=2024-03-01/o-copy.csv", "orders/date=2024-03-01/o.csv"]
    with store.open(target) as stream:
        assert stream.read() == b"order_id\n1\n"

    with pytest.raises(RuntimeError), store.staged(f"{root}/failed.csv") as path:
        path.write_bytes(b"half")
        raise RuntimeError("writer failed")
    assert store.stat(f"{root}/failed.csv") is None
    assert len(names(store, root)) == 2  # no partial left behind


def test_copy_move_delete(where):
    store, root = where
    store.put_bytes(f"{root}/a.csv", b"a\n")
    store.copy(f"{root}/a.csv", f"{root}/copies/a.csv")
    store.move(f"{root}/a.csv", f"{root}/_archive/a.csv")
    assert names(store, root) == ["_archive/a.csv", "copies/a.csv"]
    with store.open(f"{root}/_archive/a.csv") as stream:
        assert stream.read() == b"a\n"
    store.delete(f"{root}/copies/a.csv")
    store.delete(f"{root}/copies/a.csv")  # gone already: nothing happens
    assert names(store, root) == ["_archive/a.csv"]


@pytest.mark.slow
def test_s3_urls_in_either_scheme_are_listed_as_s3(moto_s3):
    bucket = f"scheme-{uuid.uuid4().hex[:10]}"
    moto_s3.create_bucket(bucket)
    store = store_for(f"s3a://{bucket}/x", moto_s3.client(), S3Encryption())
    store.put_bytes(f"s3a://{bucket}/x/f.csv", b"f")
    assert [e.uri for e in store.list_tree(f"s3a://{bucket}/x")] == [f"s3://{bucket}/x/f.csv"]
    assert store.stat(f"s3a://{bucket}/x/f.csv").uri == f"s3://{bucket}/x/f.csv"


@pytest.mark.slow
@pytest.mark.parametrize("encryption", [S3Encryption(), S3Encryption.from_mapping(
    {"mode": "sse-kms", "kms_key_id": "alias/lakehouse-landing"})], ids=["sse-s3", "sse-kms"])
def test_every_s3_write_asks_for_server_side_encryption(moto_s3, encryption):
    bucket = f"sse-{uuid.uuid4().hex[:10]}"
    moto_s3.create_bucket(bucket)
    client = moto_s3.client()
    store = store_for(f"s3://{bucket}", client, encryption)
    store.put_bytes(f"s3://{bucket}/put.png", b"png", content_type="image/png")
    with store.staged(f"s3://{bucket}/staged.csv", [f"s3://{bucket}/staged-copy.csv"]) as path:
        path.write_bytes(b"a\n")
    store.copy(f"s3://{bucket}/put.png", f"s3://{bucket}/copied.png")
    store.put_bytes(f"s3://{bucket}/to-move.csv", b"m")
    store.move(f"s3://{bucket}/to-move.csv", f"s3://{bucket}/moved.csv")

    keys = moto_s3.keys(bucket)
    assert sorted(keys) == ["copied.png", "moved.csv", "put.png", "staged-copy.csv", "staged.csv"]
    for key in keys:
        head = client.head_object(Bucket=bucket, Key=key)
        assert head.get("ServerSideEncryption") == encryption.algorithm, key
        assert head.get("SSEKMSKeyId") == encryption.kms_key_id, key
    assert client.head_object(Bucket=bucket, Key="put.png")["ContentType"] == "image/png"


@pytest.mark.slow
def test_without_encryption_given_s3_writes_use_the_configured_one(moto_s3, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")  # config/test.yaml: SSE-S3
    bucket = f"conf-{uuid.uuid4().hex[:10]}"
    moto_s3.create_bucket(bucket)
    store_for(f"s3://{bucket}").put_bytes(f"s3://{bucket}/x", b"x")  # its own client, too
    assert moto_s3.client().head_object(Bucket=bucket, Key="x")["ServerSideEncryption"] == "AES256"


def roots(monkeypatch, landing: str, lake: str) -> LakehouseStorage:
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", landing)
    monkeypatch.setenv("LAKEHOUSE_ROOT", lake)
    return LakehouseStorage(lakehouse=LakehouseSettings())


def test_the_resource_makes_no_client_for_local_roots(tmp_path, monkeypatch):
    storage = roots(monkeypatch, str(tmp_path / "landing"), str(tmp_path / "lake"))
    assert (storage.landing_root, storage.lakehouse_root) == (str(tmp_path / "landing"), str(tmp_path / "lake"))
    assert storage.client is None
    assert isinstance(storage.landing, LocalStore) and isinstance(storage.lake, LocalStore)


@pytest.mark.slow
def test_the_resource_shares_one_client_when_a_root_is_on_s3(tmp_path, monkeypatch, moto_s3):
    bucket = f"res-{uuid.uuid4().hex[:10]}"
    moto_s3.create_bucket(bucket)
    storage = roots(monkeypatch, f"s3://{bucket}/landing", str(tmp_path / "lake"))
    landing, lake = storage.landing, storage.lake
    assert isinstance(landing, S3Store) and isinstance(lake, LocalStore)
    assert storage.client is not None and landing.client is storage.client
    assert storage.store(f"s3://{bucket}/other").client is storage.client
    assert landing.encryption == storage.settings.s3_encryption
    landing.put_bytes(f"s3://{bucket}/landing/orders/date=2024-03-01/o.csv", b"o\n")
    [entry] = landing.list_tree(f"s3://{bucket}/landing")
    assert entry.uri.endswith("/o.csv") and entry.modified_at.tzinfo is not None
    assert entry.modified_at.astimezone(UTC).year >= 2024
