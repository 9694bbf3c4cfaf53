"""`lakehouse generate` arguments and messages, the progress bar, and S3 output."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from lakehouse_assets.cli import generate_cmd
from lakehouse_assets.generate import generate
from lakehouse_assets.generate.progress import Progress
from lakehouse_assets_tests.generate.conftest import START


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="lakehouse")
    generate_cmd.register(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(["generate", *argv])
        return args.func(args)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.mark.parametrize("argv", [
    ["--start", "2024-01-01", "--days", "0"],
    ["--start", "2024-01-01", "--days", "-2"],
    ["--start", "2024-01-01", "--days", "1", "--defects", "-0.1"],
    ["--start", "2024-01-01", "--days", "1", "--defects", "1.5"],
    ["--start", "2024-01-01", "--days", "1", "--gb-per-day", "-1"],
    ["--start", "2024-01-01", "--days", "1", "--rows-per-day", "0"],
    ["--start", "2024-01-01", "--days", "1", "--rows-per-day", "10", "--gb-per-day", "1"],
    ["--start", "2024-02-30", "--days", "1"],
    ["--start", "2024-01-01", "--days", "many"],
    ["--start", "2024-01-01", "--days", "1", "--seed", "-1"],
    ["--days", "1"],
])
def test_bad_arguments_give_one_line_and_exit_code_2(argv, capsys, tmp_path):
    assert run_cli([*argv, "--landing-root", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("lakehouse generate: error: ")
    assert "Traceback" not in err and not any(tmp_path.iterdir())


def test_a_run_writes_files_and_prints_a_line_per_source(capsys, tmp_path):
    code = run_cli(["--start", "2024-03-01", "--days", "2", "--rows-per-day", "400", "--seed", "3",
                    "--defects", "0.05", "--landing-root", str(tmp_path / "land"), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    for source in ("orders", "customers", "products", "stores", "sales_team", "fx_rates"):
        assert any(line.strip().startswith(source) and "files" in line and "bytes" in line
                   for line in out.splitlines()), source
        assert len(list((tmp_path / "land" / source).glob("date=*/*"))) >= 2


def test_default_landing_root_is_the_configured_one(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ENV", "local")
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(tmp_path / "configured"))
    assert run_cli(["--start", "2024-03-01", "--days", "1", "--rows-per-day", "50"]) == 0
    assert (tmp_path / "configured" / "orders" / "date=2024-03-01").is_dir()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only():
    tty, pipe = _Terminal(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(True, 2, stream)
        bar.start_day(0, START, 100)
        bar.advance(50, 5000)
        bar.end_day()
    assert "\r" in tty.getvalue() and "50%" in tty.getvalue() and tty.getvalue().endswith("\n")
    assert pipe.getvalue() == ""
    quiet = _Terminal()
    Progress(False, 1, quiet).start_day(0, START, 10)
    assert quiet.getvalue() == ""


def test_s3_landing_root_gets_the_same_files_as_a_local_one(tmp_path, monkeypatch):
    moto = pytest.importorskip("moto")
    import boto3

    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    args = dict(start=START, days=2, rows_per_day=300, seed=4, defects=0.1, progress=False)
    generate(landing_root=str(tmp_path), **args)
    local = {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with moto.mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="landing")
        summary = generate(landing_root="s3://landing/zone/", **args)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="landing")["Contents"]]
        remote = {k.removeprefix("zone/"): s3.get_object(Bucket="landing", Key=k)["Body"].read() for k in keys}
    assert remote == local and len(remote) == sum(s.files for s in summary.sources.values())
    assert not list(Path(tmp_path).rglob(".*.partial"))
