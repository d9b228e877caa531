"""voila.json carries the serving settings docs/deploy.md relies on."""

import json
from pathlib import Path

CONFIG = json.loads((Path(__file__).parents[2] / "voila.json").read_text(encoding="utf-8"))


def test_sources_stripped_and_tracebacks_hidden():
    assert CONFIG["VoilaConfiguration"]["strip_sources"] is True
    assert CONFIG["VoilaConfiguration"]["show_tracebacks"] is False


def test_websocket_messages_fit_a_100_mb_upload():
    # tornado's default (10 MiB) drops larger FileUpload messages without a word.
    size = CONFIG["Voila"]["tornado_settings"]["websocket_max_message_size"]
    assert size >= 100 * 1024 * 1024 + 1024 * 1024


def test_idle_kernels_are_culled_and_served_on_localhost_8866():
    culling = CONFIG["MappingKernelManager"]
    assert culling["cull_idle_timeout"] > 0 and culling["cull_interval"] > 0
    assert (CONFIG["Voila"]["ip"], CONFIG["Voila"]["port"]) == ("127.0.0.1", 8866)


def test_the_offline_template_is_selected_and_shipped():
    assert CONFIG["VoilaConfiguration"]["template"] == "postloan"
    template = Path(__file__).parents[2] / "share/jupyter/voila/templates/postloan"
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    assert "cdn.jsdelivr.net" in (template / "index.html.j2").read_text()  # the links it drops


def test_the_page_unload_shutdown_is_not_refused_by_the_xsrf_check():
    """Voila's page frees its kernel with a ``navigator.sendBeacon`` POST on unload, which can
    carry no ``_xsrf`` token (voila-dashboards/voila#1458: the server answers 403 and the kernel
    lives on until culled). The browser test of closing pages proves the kernel goes at once."""
    assert CONFIG["Voila"]["tornado_settings"]["disable_check_xsrf"] is True


def test_kernels_talk_over_local_sockets_not_tcp_ports():
    """IPC transport: no TCP ports to pick (a port race left a kernel unstarted once in 50
    rapid page visits) and no plain-text kernel traffic on the loopback interface."""
    assert CONFIG["KernelManager"]["transport"] == "ipc"
