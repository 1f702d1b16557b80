"""charrnn-tui sample: text from a checkpoint or run folder, to stdout, nothing written."""

import pytest
from cli_helpers import make_text, python_m, seed_only_checkpoint
from commands_helpers import (
    argmax_path,
    bad_targets,
    call,
    one_error_line,
    train_small_run,
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return train_small_run(tmp_path_factory.mktemp("sample"))


def test_fixed_seed_is_deterministic_and_starts_with_the_prime(capsys, trained):
    folder, _ = trained
    argv = ["sample", folder, "--prime", "the ", "--length", 300, "--seed", 3]
    code, first, err = call(capsys, argv)
    assert code == 0 and err == ""
    code, second, _ = call(capsys, argv)
    assert code == 0
    assert first == second
    assert first.startswith("the ") and len(first) == len("the ") + 300 + 1
    _, other, _ = call(capsys, [*argv[:-1], 4])
    assert other != first


def test_temperature_zero_is_the_argmax_path(tmp_path, capsys):
    text = make_text(500)
    ckpt, params, chars = seed_only_checkpoint(tmp_path, text)
    prime = "the fox "
    code, out, _ = call(
        capsys, ["sample", ckpt, "--prime", prime, "--length", 80, "--temperature", 0]
    )
    assert code == 0
    assert out == argmax_path(params, chars, prime, 80) + "\n"


def test_beam_one_is_temperature_zero_and_beams_are_deterministic(tmp_path, capsys):
    ckpt, params, chars = seed_only_checkpoint(tmp_path, make_text(500))
    prime = "the fox "
    code, out, err = call(capsys, ["sample", ckpt, "--prime", prime, "--length", 80, "--beam", 1])
    assert code == 0 and err == ""
    assert out == argmax_path(params, chars, prime, 80) + "\n"
    wide = ["sample", ckpt, "--prime", prime, "--length", 80, "--beam", 5, "--seed", 1]
    code, first, _ = call(capsys, wide)
    assert code == 0 and first.startswith(prime) and len(first) == len(prime) + 80 + 1
    _, second, _ = call(capsys, [*wide[:-1], 2])  # the seed does not matter
    assert first == second
    code, unprimed, _ = call(capsys, ["sample", ckpt, "--length", 30, "--beam", 3])
    assert code == 0 and len(unprimed) == 31


@pytest.mark.parametrize("flags,message", [
    (["--count", "2"], "--count must be 1"),
    (["--temperature", "0.5"], "takes no --temperature"),
    (["--temperature", "1"], "takes no --temperature"),
    (["--length", "10000000", "--beam", "2"], "a shorter --length or fewer beams"),
])  # fmt: skip
def test_beam_refuses_what_it_cannot_honour(capsys, trained, flags, message):
    folder, _ = trained
    code, out, err = call(capsys, ["sample", folder, "--beam", "3", *flags])
    assert code == 2 and out == ""
    one_error_line(err, message)


def test_no_prime_and_count(capsys, trained):
    folder, _ = trained
    code, out, _ = call(capsys, ["sample", folder, "--length", 40, "--count", 3, "--seed", 1])
    assert code == 0
    samples = out.split("\n\n")
    assert len(samples) == 3 and len(set(samples)) == 3


def test_prime_file_and_no_corpus_needed(tmp_path, capsys, trained):
    folder, corpus = trained
    corpus.unlink()  # the vocabulary is in the checkpoint
    prime = tmp_path / "prime.txt"
    prime.write_text("the crow\n", encoding="utf-8")
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    code, out, _ = call(capsys, ["sample", folder, "--prime-file", prime, "--length", 20])
    assert code == 0 and out.startswith("the crow\n")
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before  # nothing written


def test_unknown_prime_characters(capsys, trained):
    folder, _ = trained
    code, out, err = call(capsys, ["sample", folder, "--prime", "Zebra ΩΩ"])
    assert code == 2 and out == ""
    one_error_line(err, "not in the vocabulary", "'Z'", "'Ω'", "--skip-unknown")
    code, out, err = call(
        capsys, ["sample", folder, "--prime", "Zebra ΩΩ", "--skip-unknown", "--length", 5]
    )
    assert code == 0
    assert out.startswith("ebra ") and "'Z'" in err and "warning" in err


@pytest.mark.parametrize("flags,message", [
    (["--temperature", "-0.5"], "argument --temperature: must be >= 0"),
    (["--length", "-1"], "argument --length: must be between 0"),
    (["--count", "0"], "argument --count: must be between 1"),
    (["--seed", "x"], "argument --seed: must be a whole number"),
    (["--beam", "0"], "argument --beam: must be between 1"),
])  # fmt: skip
def test_bad_flags(capsys, trained, flags, message):
    folder, _ = trained
    code, out, err = call(capsys, ["sample", folder, *flags])
    assert code == 2 and out == ""
    assert err.startswith("usage: charrnn-tui sample")
    assert f"charrnn-tui sample: error: {message}" in err


def test_bad_targets_and_primes(tmp_path, capsys, trained):
    folder, _ = trained
    for target, message in bad_targets(tmp_path):
        code, out, err = call(capsys, ["sample", target])
        assert code == 2 and out == "", target
        one_error_line(err, message)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9")
    for flags, message in [
        (["--prime", ""], "--prime is empty"),
        (["--prime-file", tmp_path / "empty.txt"], "the prime file is empty"),
        (["--prime-file", tmp_path / "latin1.txt"], "not valid UTF-8"),
        (["--prime-file", tmp_path / "nope.txt"], "no such file"),
        (["--prime-file", tmp_path], "is a directory"),
    ]:
        code, out, err = call(capsys, ["sample", folder, *flags])
        assert code == 2 and out == "", flags
        one_error_line(err, message)


def test_streams_and_stops_quietly_when_the_reader_goes(tmp_path):
    ckpt, _, _ = seed_only_checkpoint(tmp_path, make_text(500))
    proc = python_m(["sample", ckpt, "--length", 5_000_000, "--seed", 1])
    head = proc.stdout.read(100)  # long before 5 million characters are generated
    assert len(head) == 100
    proc.stdout.close()  # as `| head` does
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_help_lists_the_flags(capsys):
    code, out, _ = call(capsys, ["sample", "--help"])
    assert code == 0
    flags = ("--prime", "--prime-file", "--length", "--temperature", "--seed", "--count", "--beam")
    for flag in flags:
        assert flag in out
