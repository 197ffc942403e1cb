from core.text import html_to_text, one_line


def test_blocks_are_lines_and_entities_are_characters():
    assert html_to_text("<p>Tom &amp; Xu</p>\n<p>Li</p>") == "Tom & Xu\nLi"


def test_inline_tags_do_not_split_a_word_and_other_tags_do():
    assert html_to_text("<p><b>Qian</b>hai <em>forum</em></p>") == "Qianhai forum"
    assert html_to_text("<ul><li>one</li><li>two</li></ul>") == "one\ntwo"
    assert html_to_text("<p>line<br>break</p>") == "line\nbreak"


def test_markup_written_as_text_stays_text():
    assert (
        html_to_text("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == "<script>alert(1)</script>"
    )


def test_one_line_joins_blocks_with_a_space():
    assert one_line("<h2>Head</h2>\n\n<p>  Body \n text </p>") == "Head Body text"
    assert one_line("") == ""
