"""Settings persistence: QSettings for preferences, the OS keyring for the API key only."""

from PySide6.QtCore import QRect, QSettings

from captioner.recognition.cloud import credentials
from captioner.settings import RecognitionSettings
from captioner.ui.choices import EngineChoice, SourceChoice
from captioner.ui.engine_panel import EnginePanel
from captioner.ui.store import OverlayStyle, SecretStore, Store
from xvfb import main_thread_gc, memory_keyring, ui_store  # noqa: F401  (pytest fixtures)

KEY = "sk-test0123456789abcdefSECRET"


def ini_text(store: Store) -> str:
    store.sync()
    return store.ini_path.read_text(encoding="utf-8") if store.ini_path.exists() else ""


def test_api_key_goes_to_the_keyring_and_never_into_the_settings_file(qtbot, ui_store, memory_keyring):
    ui_store.set_engine_choice(EngineChoice(engine="dashscope", region="intl", workspace="ws-1"))
    panel = EnginePanel(ui_store)
    qtbot.addWidget(panel)
    assert panel.cloud_radio.isChecked()
    assert panel.api_key.echoMode() == panel.api_key.EchoMode.Password  # masked on screen
    panel.api_key.setText(KEY)
    panel.save_api_key()  # what editingFinished does
    ui_store.set_engine_choice(panel.choice())
    assert memory_keyring.store[("captioner", "dashscope-api-key-intl")] == KEY
    text = ini_text(ui_store)
    assert "ws-1" in text and "intl" in text  # the rest of the engine choice is persisted
    assert KEY not in text and "sk-test" not in text
    # the same key is what the cloud client reads (credentials.py uses these names)
    from captioner.recognition.cloud.credentials import load_api_key

    assert load_api_key("intl") == KEY
    # A fresh panel (next start) shows it again, from the keyring.
    again = EnginePanel(Store(QSettings(str(ui_store.ini_path), QSettings.Format.IniFormat)))
    qtbot.addWidget(again)
    assert again.api_key_text() == KEY


def test_keys_are_per_region(qtbot, ui_store, memory_keyring):
    ui_store.set_engine_choice(EngineChoice(engine="dashscope", region="cn"))
    panel = EnginePanel(ui_store)
    qtbot.addWidget(panel)
    panel.api_key.setText("sk-beijing-key-000000")
    panel.save_api_key()
    panel.region.setCurrentIndex(panel.region.findData("intl"))
    assert panel.api_key_text() == ""  # the Singapore key is a different entry
    panel.api_key.setText("sk-singapore-key-11111")
    panel.region.setCurrentIndex(panel.region.findData("cn"))  # switching saves what was typed
    assert panel.api_key_text() == "sk-beijing-key-000000"
    assert memory_keyring.store[("captioner", "dashscope-api-key-intl")] == "sk-singapore-key-11111"


def test_without_a_keyring_the_key_is_kept_in_memory_and_the_user_told(qtbot, ui_store):
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        store = Store(ui_store.qsettings, SecretStore())
        store.set_engine_choice(EngineChoice(engine="dashscope"))
        panel = EnginePanel(store)
        qtbot.addWidget(panel)
        panel.api_key.setText(KEY)
        panel.save_api_key()
        assert "only until Captioner quits" in panel.key_status.text()
        assert store.api_key("cn") == KEY  # usable for this run
        store.set_engine_choice(panel.choice())
        assert KEY not in ini_text(ui_store)
    finally:
        keyring.set_keyring(previous)
        credentials.keep_until_exit("cn", "")


def test_preferences_round_trip(ui_store):
    settings = RecognitionSettings(
        model="paraformer-realtime-v2",
        language_hints=("zh", "en"),
        max_sentence_silence=800,
        semantic_punctuation_enabled=True,
        speech_noise_threshold=-0.3,
        hot_words=("Captioner",),
    )
    ui_store.set_recognition_settings(settings)
    ui_store.set_engine_choice(EngineChoice(engine="dashscope", region="intl", url="ws://127.0.0.1:9/x"))
    ui_store.set_source_choice(SourceChoice(kind="both", device="mic", loopback="sys.monitor"))
    style = OverlayStyle(lines=2, font_size=40, text_color="#00ff00", opacity=0.3)
    ui_store.set_overlay_style(style)
    ui_store.set_overlay_geometry("screens_A", QRect(10, 20, 300, 100))
    ui_store.sync()
    fresh = Store(QSettings(str(ui_store.ini_path), QSettings.Format.IniFormat))
    assert fresh.recognition_settings() == settings
    assert fresh.engine_choice() == EngineChoice(engine="dashscope", region="intl", url="ws://127.0.0.1:9/x")
    assert fresh.source_choice() == SourceChoice(kind="both", device="mic", loopback="sys.monitor")
    assert fresh.overlay_style() == style
    assert fresh.overlay_geometry("screens_A") == QRect(10, 20, 300, 100)
    assert fresh.overlay_geometry("screens_B") is None


def test_damaged_or_out_of_range_values_fall_back_to_defaults(ui_store):
    q = ui_store.qsettings
    q.setValue("recognition/settings", '{"max_sentence_silence": 99999}')
    q.setValue("overlay/lines", 500)
    q.setValue("overlay/opacity", "lots")
    q.setValue("overlay/text_color", "red; drop table")
    q.setValue("engine/engine", "quantum")
    q.setValue("input/kind", "demo")  # the demo is never restored as the input
    assert ui_store.recognition_settings() == RecognitionSettings()
    style = ui_store.overlay_style()
    assert (style.lines, style.opacity, style.text_color) == (3, 0.65, "#ffffff")
    assert ui_store.engine_choice().engine == "local"
    assert ui_store.source_choice().kind == "microphone"
