"""`inspiration install-desktop` adds the menu entry, icons, MIME type and metainfo for the user, and removes them."""

import configparser
import xml.etree.ElementTree as ET

from inspiration.cli import main


def test_install_then_uninstall(tmp_path, monkeypatch, capsys):
    data = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    assert main(["install-desktop"]) == 0
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(data / "applications" / "inspiration.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Name"] == "Inspiration" and desktop["Icon"] == "inspiration"
    assert desktop["Exec"].endswith(" gui %f") and "{exec}" not in desktop["Exec"]
    assert "application/x-inspiration-project" in desktop["MimeType"]
    mime = ET.parse(data / "mime" / "packages" / "inspiration-mime.xml").getroot()
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    assert mime.find("m:mime-type/m:glob", ns).get("pattern") == "*.inspiration"
    assert ET.parse(data / "metainfo" / "inspiration.metainfo.xml").getroot().find("id").text == "inspiration.desktop"
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "inspiration.svg").is_file()
    assert (data / "icons" / "hicolor" / "48x48" / "apps" / "inspiration.png").stat().st_size > 500
    (data / "applications" / "other.desktop").write_text("[Desktop Entry]\n")
    assert main(["install-desktop", "--uninstall"]) == 0
    assert not (data / "applications" / "inspiration.desktop").exists()
    assert not (data / "icons" / "hicolor" / "48x48" / "apps" / "inspiration.png").exists()
    assert (data / "applications" / "other.desktop").exists()  # only our files go
    assert "removed" in capsys.readouterr().out


def test_exec_lines_quote_each_argument_and_tryexec_names_the_program(tmp_path):
    from inspiration.cli.desktop import _exec_argument, install

    assert _exec_argument("/usr/bin/inspiration") == "/usr/bin/inspiration"
    assert _exec_argument("/home/a b/bin/inspiration") == '"/home/a b/bin/inspiration"'
    assert _exec_argument("/opt/100%/inspiration") == "/opt/100%%/inspiration"
    install(tmp_path, ["/home/a b/venv/bin/python", "-m", "inspiration"])
    text = (tmp_path / "applications" / "inspiration.desktop").read_text()
    assert 'Exec="/home/a b/venv/bin/python" -m inspiration gui %f' in text
    assert "TryExec=/home/a b/venv/bin/python\n" in text
