"""`ingest` of web pages, RSS/Atom feeds and sitemaps, all served from 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.answer import Answer
from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.sources.ingest import IngestReport, ingest
from bot.sources.knowledge import KnowledgeFileError
from bot.sources.web_import import FetchLimits
from bot.store.database import Store
from tests.helpers.cli import child_env, run_bot
from tests.helpers.files import DATA_DIR, refresh, write
from tests.helpers.web_server import HTML, Reply, WebServer

DATA = DATA_DIR / "web"
XML = "application/xml; charset=utf-8"
KHAI_SINH_URL = "https://lechan.haiphong.gov.vn/huong-dan/dang-ky-khai-sinh-truc-tuyen"
# One question per page, and the words only that page's main text holds.
QUESTIONS = {
    "/khai-sinh.html": ("Đăng ký khai sinh cần chuẩn bị giấy chứng sinh không?", "chứng sinh"),
    "/thuong-tru.html": ("Đăng ký thường trú trên ứng dụng VNeID thế nào?", "thường trú"),
    "/doi-gplx.html": ("Lệ phí đổi giấy phép lái xe là bao nhiêu?", "115.000 đồng"),
    "/ho-kinh-doanh.html": ("Bao lâu thì được cấp giấy chứng nhận hộ kinh doanh?", "ba ngày"),
}
BOILERPLATE = ("Trang chủ", "Giới thiệu chung", "Tin đọc nhiều", "Hàng Kênh", "Đường dây nóng")


@pytest.fixture
def web() -> Iterator[WebServer]:
    """tests/data/web served at /NAME, with {BASE} in feeds and sitemaps made this server's."""
    with WebServer() as server:
        for path in DATA.iterdir():
            body = path.read_bytes().replace(b"{BASE}", server.base_url.encode())
            server.routes["/" + path.name] = (HTML if path.suffix == ".html" else XML, body)
        yield server


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: the connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/trang.html"


async def run(
    store: Store, pipeline: TextPipeline, *sources: str | Path, limits: FetchLimits | None = None
) -> IngestReport:
    return await ingest(store, pipeline, list(sources), False, 120, limits)


async def ask(store: Store, pipeline: TextPipeline, settings: Settings, question: str) -> Answer:
    return await (await KnowledgeBase.open(store, pipeline, settings)).ask(question)


async def passage_texts(store: Store) -> list[str]:
    async with store.db.execute("SELECT text FROM passages") as cur:
        return [row[0] async for row in cur]


async def assert_answers(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer, paths: list[str]
) -> None:
    """Each page's question is answered from that page, cited by its source address."""
    for path in paths:
        question, words = QUESTIONS[path]
        answer = await ask(store, pipeline, settings, question)
        assert answer.answered, question
        assert words in answer.hits[0].text
        assert answer.hits[0].citation.source == web.url(path)


# --- one page --------------------------------------------------------------------------------


async def test_a_page_url_answers_with_a_full_citation(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    report = await run(store, pipeline, web.url("/khai-sinh.html"))
    assert report.ok and report.added == 1
    answer = await ask(store, pipeline, settings, QUESTIONS["/khai-sinh.html"][0])
    assert answer.answered
    citation = answer.hits[0].citation
    assert citation.title == "Đăng ký khai sinh trực tuyến trên Cổng dịch vụ công"
    assert (citation.url, citation.date, citation.author) == (
        KHAI_SINH_URL,
        "02/05/2024",
        "Nguyễn Thu Trang",
    )
    assert citation.source == web.url("/khai-sinh.html")
    assert any("haiphong-egov-bot" in agent for agent in web.user_agents)


async def test_menus_sidebars_and_footers_are_not_indexed(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    await run(store, pipeline, web.url("/khai-sinh.html"))
    texts = await passage_texts(store)
    assert len(texts) == 4 and all(t.strip() for t in texts)
    for noise in BOILERPLATE:
        assert not any(noise in t for t in texts), noise
    assert not (await ask(store, pipeline, settings, "lịch cắt điện Hàng Kênh tuần tới")).answered


async def test_a_redirected_page_without_canonical_cites_its_final_address(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    web.routes["/cu/gplx"] = Reply(HTML, b"", status=301, location="/doi-gplx.html")
    assert (await run(store, pipeline, web.url("/cu/gplx"))).ok
    answer = await ask(store, pipeline, settings, QUESTIONS["/doi-gplx.html"][0])
    citation = answer.hits[0].citation
    assert (citation.source, citation.url) == (web.url("/cu/gplx"), web.url("/doi-gplx.html"))
    assert (citation.date, citation.author) == ("15/03/2024", "Lê Minh Đức")


async def test_an_unknown_charset_name_falls_back_to_the_page_meta(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    web.routes["/x.html"] = ("text/html; charset=x-khong-ro", web.routes["/khai-sinh.html"][1])
    assert (await run(store, pipeline, web.url("/x.html"))).ok
    assert (await ask(store, pipeline, settings, QUESTIONS["/khai-sinh.html"][0])).answered


# --- feeds and sitemaps ----------------------------------------------------------------------


async def test_an_rss_feed_imports_each_item_page(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    report = await run(store, pipeline, web.url("/rss.xml"))
    assert report.ok and report.added == 3
    await assert_answers(store, pipeline, settings, web, list(QUESTIONS)[:3])
    # The page has no date of its own: the item's pubDate, on the publisher's clock.
    answer = await ask(store, pipeline, settings, QUESTIONS["/thuong-tru.html"][0])
    assert answer.hits[0].citation.date == "10/06/2024"


async def test_an_atom_feed_imports_each_entry_page(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    report = await run(store, pipeline, web.url("/atom.xml"))
    assert report.ok and report.added == 2
    await assert_answers(
        store, pipeline, settings, web, ["/ho-kinh-doanh.html", "/thuong-tru.html"]
    )
    cited = await ask(store, pipeline, settings, QUESTIONS["/ho-kinh-doanh.html"][0])
    assert cited.hits[0].citation.url == "https://haiphong.gov.vn/dich-vu/dang-ky-ho-kinh-doanh"


async def test_a_sitemap_imports_the_pages_it_lists(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    report = await run(store, pipeline, web.url("/sitemap.xml"))
    assert report.ok and report.added == 2
    await assert_answers(store, pipeline, settings, web, ["/khai-sinh.html", "/thuong-tru.html"])
    answer = await ask(store, pipeline, settings, QUESTIONS["/thuong-tru.html"][0])
    assert answer.hits[0].citation.date == "11/06/2024"  # <lastmod>, the page has no date


async def test_a_sitemap_index_follows_its_child_sitemaps(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    report = await run(store, pipeline, web.url("/sitemap-index.xml"))
    assert report.ok and report.added == 4
    await assert_answers(store, pipeline, settings, web, list(QUESTIONS))


async def test_sitemap_indexes_that_loop_or_nest_too_deep_end(
    store: Store, pipeline: TextPipeline, web: WebServer
) -> None:
    def index(*children: str) -> bytes:
        locs = "".join(f"<sitemap><loc>{web.url(c)}</loc></sitemap>" for c in children)
        ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
        return f'<sitemapindex xmlns="{ns}">{locs}</sitemapindex>'.encode()

    web.routes["/a.xml"] = (XML, index("/a.xml", "/b.xml"))
    web.routes["/b.xml"] = (XML, index("/a.xml", "/sitemap.xml", "/khai-sinh.html"))
    report = await run(store, pipeline, web.url("/a.xml"))
    assert report.added == 2 and web.requests.count("/a.xml") == 1
    assert [str(e) for e in report.errors] == [
        f"{web.url('/khai-sinh.html')}: không phải sitemap (được nêu trong một sitemap index)"
    ]
    deep = await run(
        store, pipeline, web.url("/sitemap-index.xml"), limits=FetchLimits(max_sitemap_depth=0)
    )
    assert [e.path for e in deep.errors] == [web.url("/sitemap-index.xml")]
    assert "lồng quá 0 cấp" in deep.errors[0].reason


# --- idempotence and what stays --------------------------------------------------------------


async def test_reimporting_changes_nothing_and_an_edited_page_is_replaced(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    await run(store, pipeline, web.url("/rss.xml"))
    version, texts = await store.corpus_version(), await passage_texts(store)
    again = await run(store, pipeline, web.url("/rss.xml"))
    assert (again.added, again.updated, again.unchanged, again.passages) == (0, 0, 3, 0)
    assert await store.corpus_version() == version and await passage_texts(store) == texts

    old, new = "115.000 đồng", "135.000 đồng, áp dụng từ ngày 1 tháng 7"
    body = web.routes["/doi-gplx.html"][1].decode()
    web.routes["/doi-gplx.html"] = (HTML, body.replace(old, new).encode())
    edited = await run(store, pipeline, web.url("/rss.xml"))
    assert (edited.added, edited.updated, edited.unchanged) == (0, 1, 2)
    stored = await passage_texts(store)
    assert not any(old in t for t in stored) and any(new in t for t in stored)
    assert await store.counts() == (3, 8)


async def test_web_pages_survive_folder_refreshes_and_feed_rollover(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    await run(store, pipeline, web.url("/rss.xml"))
    assert (await refresh(store, pipeline, settings)).removed == 0
    rss = web.routes["/rss.xml"][1]
    start, end = rss.index(b"<item>"), rss.index(b"</item>") + len(b"</item>")
    web.routes["/rss.xml"] = (XML, rss[:start] + rss[end:])  # khai-sinh rolled off the feed
    report = await run(store, pipeline, web.url("/rss.xml"))
    assert (report.unchanged, report.removed) == (2, 0)
    assert await store.counts() == (4, 16)
    await assert_answers(store, pipeline, settings, web, ["/khai-sinh.html"])


# --- failures --------------------------------------------------------------------------------


async def test_bad_addresses_are_named_and_the_rest_still_imported(
    store: Store, pipeline: TextPipeline, settings: Settings, web: WebServer
) -> None:
    web.routes["/loi.html"] = Reply("text/plain", b"Internal Server Error", status=500)
    web.routes["/bao-cao.pdf"] = ("application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    web.routes["/rong.html"] = (HTML, b"")
    rss = web.routes["/rss.xml"][1].replace(b"/doi-gplx.html", b"/khong-co.html")
    web.routes["/rss.xml"] = (XML, rss.replace(b"/thuong-tru.html", b"/chi-dieu-huong.html"))
    refused = closed_port_url()
    bad = ["/loi.html", "/bao-cao.pdf", "/rong.html"]
    report = await run(store, pipeline, web.url("/rss.xml"), refused, *map(web.url, bad))
    reasons = {e.path: e.reason for e in report.errors}
    assert reasons.keys() == {
        refused,
        *map(web.url, [*bad, "/khong-co.html", "/chi-dieu-huong.html"]),
    }
    assert "HTTP 404" in reasons[web.url("/khong-co.html")]
    assert "HTTP 500" in reasons[web.url("/loi.html")]
    assert "không kết nối được" in reasons[refused]
    assert "application/pdf" in reasons[web.url("/bao-cao.pdf")]
    for empty in ("/rong.html", "/chi-dieu-huong.html"):
        assert "không trích được nội dung chính" in reasons[web.url(empty)]
    assert all(str(e) == f"{e.path}: {e.reason}" for e in report.errors)
    assert report.added == 1 and await store.counts() == (1, 4)
    assert all(t.strip() for t in await passage_texts(store))
    await assert_answers(store, pipeline, settings, web, ["/khai-sinh.html"])


async def test_slow_and_oversized_pages_are_reported(
    store: Store, pipeline: TextPipeline, web: WebServer
) -> None:
    web.routes["/cham.html"] = Reply(HTML, web.routes["/khai-sinh.html"][1], delay=2.0)
    slow = await run(store, pipeline, web.url("/cham.html"), limits=FetchLimits(timeout=0.3))
    assert [str(e) for e in slow.errors] == [
        f"{web.url('/cham.html')}: hết thời gian chờ (0.3 giây)"
    ]
    big = await run(store, pipeline, web.url("/khai-sinh.html"), limits=FetchLimits(max_bytes=1024))
    assert [e.reason for e in big.errors] == [f"trang lớn hơn {1024 / 1024 / 1024:g} MB"]
    assert await store.counts() == (0, 0)


async def test_pages_are_fetched_a_few_at_a_time(
    store: Store, pipeline: TextPipeline, web: WebServer
) -> None:
    for path in QUESTIONS:
        web.routes[path] = Reply(HTML, web.routes[path][1], delay=0.2)
    report = await run(
        store, pipeline, web.url("/sitemap-index.xml"), limits=FetchLimits(concurrency=2)
    )
    assert report.added == 4 and web.most_at_once == 2


def test_a_url_error_names_the_address_like_a_file_error() -> None:
    error = KnowledgeFileError("https://x.gov.vn/a", "máy chủ trả lỗi HTTP 404 Not Found")
    assert str(error) == "https://x.gov.vn/a: máy chủ trả lỗi HTTP 404 Not Found"
    assert error.path == "https://x.gov.vn/a"


# --- saved HTML files ------------------------------------------------------------------------


async def test_saved_html_files_in_the_knowledge_folder_are_ingested(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    saved = Path(shutil.copy(DATA / "khai-sinh.html", settings.knowledge_dir / "khai-sinh.html"))
    shutil.copy(DATA / "doi-gplx.html", settings.knowledge_dir / "gplx.htm")
    report = await refresh(store, pipeline, settings)
    assert report.ok and report.added == 3
    answer = await ask(store, pipeline, settings, QUESTIONS["/khai-sinh.html"][0])
    citation = answer.hits[0].citation
    assert (citation.source, citation.url) == (str(saved.resolve()), KHAI_SINH_URL)
    assert (citation.date, citation.author) == ("02/05/2024", "Nguyễn Thu Trang")
    gplx = await ask(store, pipeline, settings, QUESTIONS["/doi-gplx.html"][0])
    assert gplx.hits[0].citation.url is None  # a saved copy names no address of its own
    assert not any(noise in t for t in await passage_texts(store) for noise in BOILERPLATE)


async def test_saved_pages_without_main_text_are_reported_not_indexed(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    shutil.copy(DATA / "chi-dieu-huong.html", settings.knowledge_dir / "menu.html")
    write(settings.knowledge_dir / "anh.htm", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(settings.knowledge_dir / "rac.html", "<<<< >>>> \x01\x02 ???")
    report = await refresh(store, pipeline, settings)
    assert sorted(e.path.name for e in report.errors) == ["anh.htm", "menu.html", "rac.html"]
    assert report.added == 1 and await store.counts() == (1, 8)


# --- the command line ------------------------------------------------------------------------


def test_cli_ingest_of_urls_exits_1_naming_the_bad_one(
    settings: Settings, web: WebServer, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(settings.db_path)
    bad = web.url("/khong-co.html")
    assert main(["ingest", web.url("/atom.xml"), bad, "--db", db]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"Lỗi: {bad}: máy chủ trả lỗi HTTP 404 Not Found"]
    assert "2 tệp mới" in out and "Kho tri thức: 2 bài, 4 đoạn" in out
    assert main(["ingest", web.url("/atom.xml"), "--db", db]) == 0
    assert "2 không đổi" in capsys.readouterr().out


def test_cli_child_process_mixes_paths_and_urls(
    settings: Settings, web: WebServer, tmp_path: Path
) -> None:
    env = child_env(settings.db_path)
    folder = str(settings.knowledge_dir)
    done = run_bot(tmp_path, env, "ingest", folder, web.url("/rss.xml"), web.url("/rong"))
    assert done.code == 1 and "Traceback" not in done.err
    assert done.err.splitlines() == [f"Lỗi: {web.url('/rong')}: máy chủ trả lỗi HTTP 404 Not Found"]
    assert "Kho tri thức: 4 bài, 16 đoạn" in done.out
    asked = run_bot(tmp_path, env, "ask", QUESTIONS["/doi-gplx.html"][0])
    assert asked.code == 0 and web.url("/doi-gplx.html") in asked.out
