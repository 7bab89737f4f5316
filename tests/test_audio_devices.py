"""Device discovery and naming on each platform (PortAudio and pactl answers simulated),
and `captioner devices` against a real PulseAudio server."""

from __future__ import annotations

import json
import sys

import pytest

from captioner.audio import devices as dev
from captioner.audio import pulse
from captioner.audio.devices import DeviceNotFoundError, _PaDevice, resolve_device, resolve_loopback
from captioner.audio.frames import AudioSourceError
from pulse import pulse_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.timeout(60)


def pa(index, name, host_api, channels=2, rate=48000.0, default=False, default_out=False):
    return _PaDevice(index, name, host_api, channels, rate, default, default_out, channels == 0)


@pytest.fixture
def windows(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(dev, "pulse_info", lambda: None)
    monkeypatch.setattr(
        dev,
        "_portaudio_devices",
        lambda: [
            pa(0, "Microphone (USB Audio)", "MME", default=True),
            pa(1, "Microphone (USB Audio)", "Windows DirectSound"),
            pa(2, "Microphone (USB Audio)", "Windows WASAPI", rate=44100.0, default=True),
            pa(3, "Headset Microphone (Jabra)", "Windows WASAPI", channels=1, rate=16000.0),
            pa(4, "Speakers (Realtek Audio)", "Windows WASAPI", channels=0, default_out=True),
            pa(5, "Speakers (Realtek Audio) [Loopback]", "Windows WASAPI"),
            pa(6, "Headphones (Jabra) [Loopback]", "Windows WASAPI"),
        ],
    )


def test_windows_names_are_unique_and_loopbacks_found(windows):
    listing = dev.list_devices()
    names = [d.name for d in listing.inputs]
    assert names == [
        "Microphone (USB Audio) [MME]",
        "Microphone (USB Audio) [Windows DirectSound]",
        "Microphone (USB Audio)",
        "Headset Microphone (Jabra)",
    ]
    assert [d.name for d in listing.loopbacks] == [
        "Speakers (Realtek Audio) [Loopback]",
        "Headphones (Jabra) [Loopback]",
    ]
    assert [d.is_default for d in listing.loopbacks] == [True, False]  # loopback of the default output
    # The bare name picks the preferred host API (WASAPI), at the device's own rate.
    mic = resolve_device("Microphone (USB Audio)", listing)
    assert (mic.host_api, mic.samplerate, mic.portaudio_name) == ("Windows WASAPI", 44100.0, "Microphone (USB Audio)")
    assert resolve_device("jabra", listing).name == "Headset Microphone (Jabra)"  # unique substring
    assert resolve_loopback("default", listing).name == "Speakers (Realtek Audio) [Loopback]"
    assert resolve_loopback("Headphones", listing).is_loopback


def test_unknown_device_error_lists_what_exists(windows):
    with pytest.raises(DeviceNotFoundError) as info:
        resolve_device("Blue Yeti")
    message = str(info.value)
    assert "No input device named 'Blue Yeti'" in message
    assert "Microphone (USB Audio)" in message and "Headset Microphone (Jabra)" in message
    assert isinstance(info.value, AudioSourceError)
    with pytest.raises(DeviceNotFoundError, match="ambiguous.*\n.*Microphone"):
        resolve_device("microphone")


def test_macos_uses_blackhole_as_loopback_or_explains(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(dev, "pulse_info", lambda: None)
    devices = [pa(0, "MacBook Pro Microphone", "Core Audio", 1, default=True)]
    monkeypatch.setattr(dev, "_portaudio_devices", lambda: list(devices))
    with pytest.raises(DeviceNotFoundError, match="BlackHole"):
        resolve_loopback("default")
    devices.append(pa(1, "BlackHole 2ch", "Core Audio"))
    assert resolve_loopback("default").name == "BlackHole 2ch"
    assert resolve_device("default").name == "MacBook Pro Microphone"


def test_linux_without_sound_server_says_so(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(dev, "pulse_info", lambda: None)
    hw = pa(0, "HDA Intel PCH: ALC892 Analog (hw:0,0)", "ALSA", default=True)
    monkeypatch.setattr(dev, "_portaudio_devices", lambda: [hw])
    with pytest.raises(DeviceNotFoundError) as info:
        resolve_loopback("default")
    assert "No PulseAudio/PipeWire server" in str(info.value)
    assert resolve_device(None).name.startswith("HDA Intel")


def test_no_two_inputs_read_alike(monkeypatch, qtbot):
    """A Linux desktop used to offer "System default", "default" and "Built-in (default)"
    (plus "pulse" and "sysdefault"): each now says what it is, and the picker's first entry
    names the device it stands for."""
    from captioner.ui import sources
    from captioner.ui.source_picker import SourcePicker

    monkeypatch.setattr(sys, "platform", "linux")
    info = pulse.PulseInfo(
        "PulseAudio 16.1",
        "alsa_input.pci.analog-stereo",
        "alsa_output.pci.analog-stereo",
        [
            pulse.PulseSource(
                "alsa_output.pci.analog-stereo.monitor",
                "Monitor of Built-in Audio",
                2,
                48000,
                "alsa_output.pci.analog-stereo",
            ),
            pulse.PulseSource("alsa_input.pci.analog-stereo", "Built-in Audio Analog Stereo", 2, 48000, None),
        ],
        "alsa_output.pci.analog-stereo.monitor",
    )
    monkeypatch.setattr(dev, "pulse_info", lambda: info)
    monkeypatch.setattr(
        dev,
        "_portaudio_devices",
        lambda: [
            pa(0, "HDA Intel PCH: ALC892 Analog (hw:0,0)", "ALSA"),
            pa(1, "sysdefault", "ALSA"),
            pa(2, "pulse", "ALSA"),
            pa(3, "default", "ALSA", default=True),
        ],
    )
    listed = sources.list_inputs()
    labels = [entry.label for entry in listed.microphones]
    assert len(set(labels)) == len(labels)
    assert [label for label in labels if label.lower() in ("default", "pulse", "sysdefault")] == []
    assert "PulseAudio default input, through ALSA" in labels
    assert resolve_device("pulse").description == "PulseAudio default input, through ALSA"  # names still work
    picker = SourcePicker()
    qtbot.addWidget(picker)
    picker.set_inputs(listed)
    shown = [picker.device.itemText(i) for i in range(picker.device.count())]
    assert shown[0] == "System default: Built-in Audio Analog Stereo"
    assert len(set(shown)) == len(shown)
    assert sum(text.lower() == "default" or text.lower().startswith("system default") for text in shown) == 1


def test_pactl_text_fallback(monkeypatch):
    answers = {
        ("list", "short", "sources"): (
            "0\talsa_output.pci.analog-stereo.monitor\tmodule-alsa-card.c\ts16le 2ch 44100Hz\tSUSPENDED\n"
            "1\talsa_input.usb-Blue.mono\tmodule-alsa-card.c\ts16le 1ch 48000Hz\tRUNNING\n"
        ),
    }
    monkeypatch.setattr(pulse, "_pactl", lambda *args: answers.get(args))
    info = pulse._pulse_info_text(
        "Server Name: PulseAudio (on PipeWire 0.3.65)\nServer Version: 15.0.0\n"
        "Default Sink: alsa_output.pci.analog-stereo\nDefault Source: alsa_input.usb-Blue.mono\n"
    )
    assert info.server == "PipeWire 15.0.0" and info.default_source == "alsa_input.usb-Blue.mono"
    assert info.default_sink_monitor == "alsa_output.pci.analog-stereo.monitor"
    monitor, mic = info.sources
    assert monitor.monitor_of == "alsa_output.pci.analog-stereo"
    assert (monitor.channels, monitor.samplerate) == (2, 44100)
    assert mic.monitor_of is None and (mic.channels, mic.samplerate) == (1, 48000)


# -- real PulseAudio --------------------------------------------------------------------------


def test_pulse_sources_are_listed_by_name(pulse_server):
    listing = dev.list_devices()
    assert listing.sound_server.startswith("PulseAudio")
    inputs = {d.name: d for d in listing.inputs}
    loopbacks = {d.name: d for d in listing.loopbacks}
    assert {"pulse", "default", "mic"} <= set(inputs)
    # ALSA's `default` routes to the server's default source: that source is "the" default.
    assert [d.name for d in listing.inputs if d.is_default] == ["mic"]
    assert inputs["mic"].pulse_source == "mic" and resolve_device("default").name == "mic"
    assert set(loopbacks) == {"cap.monitor", "sys.monitor"}
    assert loopbacks["sys.monitor"].samplerate == 44100 and loopbacks["cap.monitor"].samplerate == 48000
    assert loopbacks["cap.monitor"].is_default  # monitor of the default sink
    assert resolve_device("mic").description == "VirtualMic"
    assert resolve_loopback("Monitor of SystemSpeakers").name == "sys.monitor"


def test_devices_command(pulse_server, capsys):
    from captioner.cli import main

    assert main(["devices"]) == 0
    text = capsys.readouterr().out
    assert "Inputs (--device NAME)" in text and "System audio (--loopback NAME)" in text
    assert "* mic" in text and "sys.monitor" in text and "44100 Hz" in text
    assert main(["devices", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["name"] for d in data["loopbacks"]} == {"cap.monitor", "sys.monitor"}
    assert data["portaudio_version"].startswith("PortAudio")
