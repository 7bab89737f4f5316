<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US">
    <context>
        <name>About</name>
        <message>
            <location filename="../../captioner/ui/about.py" line="24" />
            <source>• %1 (%2): %3 licence</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="32" />
            <source>Speech models on this computer:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="36" />
            <source>Live captions from this computer's microphone, its sound, or a media file.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="37" />
            <source>Version %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="38" />
            <source>Captioner is free software under the MIT licence.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="34" />
            <source>• Silero VAD (voice activity detection): MIT licence</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="40" />
            <source>Qt %1 (PySide6 %2) is used under the GNU Lesser General Public License (LGPL) version 3; you may replace the Qt libraries Captioner uses with your own build.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="55" />
            <source>About Captioner</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>App</name>
        <message>
            <location filename="../../captioner/ui/app.py" line="128" />
            <source>Something went wrong inside Captioner.</source>
            <extracomment>Our own handle on stderr. sounddevice points fd 2 at /dev/null for the whole process while PortAudio initialises (on a worker thread here: preflight, device listing), so a line written to fd 2 at that moment is lost; this copy keeps the startup report intact.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/app.py" line="133" />
            <source>Captioner keeps running, and the captions so far are kept. If something no longer works, quit and start Captioner again; to report it, use Help → Copy diagnostics.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>CaptionController</name>
        <message>
            <location filename="../../captioner/ui/controller.py" line="219" />
            <source>Loading the speech engine…</source>
            <extracomment>(kind, message): something the user must act on (see PROBLEM_*). A session ended; the argument is its journal path ("" if none). The category of the last problem reported (its dialog picks advice by it).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="219" />
            <source>Connecting…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="228" />
            <source>Opening the input…</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>CaptionOverlay</name>
        <message>
            <location filename="../../captioner/ui/overlay.py" line="89" />
            <source>Captions</source>
            <extracomment>Finals kept for re-wrapping after a resize; more than any number of lines shown. What a drawn line is: a final, the partial being spoken, or a final's translation. Repaint rate when the screen does not say its refresh rate. The user moved or resized the overlay (debounced); the rect is the new geometry.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay.py" line="94" />
            <source>Captions will appear here</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay.py" line="118" />
            <source>Drag to resize</source>
            <extracomment>Each final wrapped once at the current width and font (finals do not change). Repaint throttle: running for one refresh interval after a repaint was asked for; changes meanwhile only set _repaint_pending, painted when it runs out. Each visible word rendered once (outlining text costs ~0.5 ms a word): a partial that grew by a word renders only that word, and lines that rolled up are reused as they are. Keyed by (word, sub-pixel offset, fill colour or None for the outline, device pixel ratio). Where the overlay asked to be when it was shown, until its first paint: a window manager that places new windows itself (openbox: top-left) is overruled once.</extracomment>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>ClickThroughBadge</name>
        <message>
            <location filename="../../captioner/ui/click_through_badge.py" line="34" />
            <source>Click-through on — click here to turn it off</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/click_through_badge.py" line="35" />
            <source>Or press %1 while a Captioner window is active.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>ColorButton</name>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="58" />
            <source>White</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="59" />
            <source>Black</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="60" />
            <source>Near black</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="61" />
            <source>Grey</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="62" />
            <source>Light grey</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="63" />
            <source>Dark grey</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="64" />
            <source>Warm yellow</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="65" />
            <source>Yellow</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="66" />
            <source>Orange</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="67" />
            <source>Red</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="68" />
            <source>Dark red</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="69" />
            <source>Pink</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="70" />
            <source>Purple</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="71" />
            <source>Blue</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="72" />
            <source>Navy</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="73" />
            <source>Sky blue</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="74" />
            <source>Cyan</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="75" />
            <source>Green</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="76" />
            <source>Light green</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="77" />
            <source>Dark green</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="78" />
            <source>Brown</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="79" />
            <source>Beige</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>EngineHost</name>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="96" />
            <source>Loading %1…</source>
            <extracomment>The error code the on-device engine uses when it has no model (see local/models.py). (state, message): state is "loading", "ready", "error" or "idle".</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="128" />
            <location filename="../../captioner/ui/engine_host.py" line="156" />
            <source>Loading the speech model…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="132" />
            <source>Custom server (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="134" />
            <source>Beijing</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="134" />
            <source>Singapore</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="144" />
            <source>the best engine for the language</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="145" />
            <source>On this device: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="166" />
            <source>The on-device speech engine is not installed (%1). Reinstall Captioner, or use Alibaba Cloud.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="175" />
            <source>The speech model could not be loaded: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="191" />
            <source>The Alibaba Cloud engine is not available in this version of Captioner.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="137" />
            <source>Alibaba Cloud (%1)</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>EnginePanel</name>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="64" />
            <source>On this device (offline)</source>
            <extracomment>The recognition model name changed (the language list depends on it).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="65" />
            <source>Alibaba Cloud Model Studio</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="66" />
            <source>Speech is recognised on this computer; nothing leaves it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="67" />
            <source>Fun-ASR / Paraformer realtime recognition; needs an API key.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="83" />
            <source>Choose…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="93" />
            <source>Model folder:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="98" />
            <source>China (Beijing)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="99" />
            <source>International (Singapore)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="103" />
            <source>Realtime recognition model; you can type another model's name.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="106" />
            <source>sk-… (stored in the system keyring)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="107" />
            <source>API key</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="109" />
            <source>Show the key</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="119" />
            <source>optional</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="121" />
            <source>optional: wss://… (e.g. another Captioner's “captioner serve”)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="282" />
            <source>The system keyring did not take the key: it is kept only until Captioner quits.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="123" />
            <source>A custom URL has its own API key: the key saved for Alibaba Cloud is never sent to it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="76" />
            <source>On-device engine</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="79" />
            <source>optional: a whisper model folder instead</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="81" />
            <source>A CTranslate2 whisper model folder; it replaces the engine chosen above. Leave empty to use it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="92" />
            <source>Engine:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="130" />
            <source>Region:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="131" />
            <source>Model:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="132" />
            <source>API key:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="134" />
            <source>Workspace:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="135" />
            <source>Custom URL:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="183" />
            <source>Best for the language</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="186" />
            <source>Best for the language: %1 for English, %2 for Chinese and others</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="196" />
            <source>%1 — not installed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="197" />
            <source>Install it with: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="259" />
            <source>%1 is only offered in the China (Beijing) region; choose Fun-ASR for Singapore.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="286" />
            <source>No system keyring is available: the key is kept only until Captioner quits.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="289" />
            <source>The key for this custom URL is stored in the system keyring.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="291" />
            <source>The key is stored in the system keyring.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="294" />
            <source>The key this server needs (for `captioner serve --token X`: X); none if it needs none.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="297" />
            <source>Or set the DASHSCOPE_API_KEY environment variable.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="305" />
            <source>The key contains spaces or line breaks; paste it again.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="323" />
            <source>Choose a whisper model folder</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>FileCaptionDialog</name>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="63" />
            <source>Caption a file</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="78" />
            <source>Details</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="88" />
            <source>Open folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="117" />
            <source>Label speakers</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="119" />
            <source>Auto</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="122" />
            <source>Number of speakers:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="153" />
            <source>Tell the voices apart and put [Speaker N] before each sentence, here and in the subtitles. Runs on this computer once the words are recognized, with any engine.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="173" />
            <source>Captioning %1
Subtitles will be saved to %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="178" />
            <source>Cancel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="183" />
            <source>Telling speakers apart needs the moonshine-voice package (its speaker models). Install it with: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="187" />
            <source>Fun-ASR-Flash returns the whole file as one sentence, so there is nothing to label by speaker. Choose the realtime model to label speakers.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="212" />
            <location filename="../../captioner/ui/file_dialog.py" line="227" />
            <location filename="../../captioner/ui/file_dialog.py" line="234" />
            <source>Applies to the next file you caption.</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/file_dialog.py" line="213" />
            <source>Saved %n sentence(s) to %1</source>
            <translation>
                <numerusform>Saved %n sentence to %1</numerusform>
                <numerusform>Saved %n sentences to %1</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/file_dialog.py" line="220" />
            <source>%n speaker(s) told apart.</source>
            <translation>
                <numerusform>%n speaker told apart.</numerusform>
                <numerusform>%n speakers told apart.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="223" />
            <location filename="../../captioner/ui/file_dialog.py" line="231" />
            <location filename="../../captioner/ui/file_dialog.py" line="236" />
            <source>Close</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="228" />
            <source>Captioning failed: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="235" />
            <source>Cancelled; nothing was saved.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>FileCaptionJob</name>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="189" />
            <source>Opening %1…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="192" />
            <source>Loading the speech engine…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="194" />
            <source>Captioning %1…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="211" />
            <source>Sending %1 to %2…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="230" />
            <source>Telling speakers apart…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="243" />
            <source>The speakers could not be told apart, so the subtitles have no speaker labels.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="161" />
            <source>The subtitle file could not be written. Choose another folder, or check that the disk has space and the file is not open elsewhere.</source>
            <extracomment>Where the progress bar waits while the last sentence is decoded and the file written. Done: the subtitle file written, and how many sentences it holds. Done: everything recognised (finals and gaps), for the transcript view. (what happened and what to do, translated; the technical detail). Recognition is done and the speakers are being told apart (the choice is taken). The speakers could not be told apart: (what happened, translated; the detail). The sentences are saved without labels all the same. Read when recognition ends, not at start: the dialog lets the user change it while the file is being recognized.</extracomment>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>Languages</name>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="55" />
            <source>Chinese</source>
            <extracomment>Languages a translation can go into: English on the device, these in the cloud (gummy-realtime-v1 translates between its source languages; docs/protocol.md §2.3).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="56" />
            <source>English</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="57" />
            <source>Japanese</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="58" />
            <source>Cantonese</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="59" />
            <source>Korean</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="60" />
            <source>German</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="61" />
            <source>French</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="62" />
            <source>Russian</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="63" />
            <source>Spanish</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="64" />
            <source>Italian</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="65" />
            <source>Portuguese</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="66" />
            <source>Vietnamese</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="67" />
            <source>Thai</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="68" />
            <source>Arabic</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="69" />
            <source>Hindi</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="70" />
            <source>Indonesian</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="71" />
            <source>Malay</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="72" />
            <source>Tagalog</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="73" />
            <source>Dutch</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="74" />
            <source>Swedish</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="75" />
            <source>Danish</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="76" />
            <source>Finnish</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="77" />
            <source>Norwegian</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="78" />
            <source>Greek</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="79" />
            <source>Polish</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="80" />
            <source>Czech</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="81" />
            <source>Hungarian</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="82" />
            <source>Romanian</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="83" />
            <source>Bulgarian</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="84" />
            <source>Croatian</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="85" />
            <source>Slovak</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>LevelMeter</name>
        <message>
            <location filename="../../captioner/ui/level_meter.py" line="35" />
            <source>Input level</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/level_meter.py" line="55" />
            <source>%1 dBFS</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../captioner/ui/app.py" line="216" />
            <location filename="../../captioner/ui/main_window.py" line="93" />
            <source>Captioner</source>
            <extracomment>Whether the device lists have been read once (a missing microphone is known).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="29" />
            <source>Microphone: what is said in the room. System audio: what this computer plays (a video call, a film, a stream). Microphone and system audio: both, mixed. Demo recording: a sample that shows how captioning works. To caption a recording instead, use File → Caption a file… or drop the file on this window.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="49" />
            <source>Input</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="50" />
            <source>Engine</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="51" />
            <source>Recognition</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="52" />
            <source>Overlay</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controls_bar.py" line="31" />
            <location filename="../../captioner/ui/controls_bar.py" line="49" />
            <location filename="../../captioner/ui/session_display.py" line="58" />
            <location filename="../../captioner/ui/window_actions.py" line="41" />
            <source>Start captions</source>
            <extracomment>The label's colour per state (the others use the palette's).
----------
The interface languages offered (QLocale names; "" follows the system). How long finished sessions' journals are kept (days; 0 is forever).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/settings_sync.py" line="65" />
            <source>Engine and recognition changes apply when you next start.</source>
            <extracomment>How often, and for how long, a failed input is looked for again.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/settings_sync.py" line="172" />
            <source>on-device engines</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="75" />
            <source>Turn this off from the tray menu, or with %1 from any app.</source>
            <extracomment>Whether a tray icon (and so its menu) can be the way back from click-through. Ctrl+Shift+T from any app, where the platform lets an app take a key (X11).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="77" />
            <source>Turn this off from the tray menu, or with %1 while a Captioner window is active.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="81" />
            <source>Turn this off with the “Click-through on” tab above the overlay, or with %1 from any app.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="86" />
            <source>Turn this off with the “Click-through on” tab above the overlay, or with %1 while a Captioner window is active.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="115" />
            <location filename="../../captioner/ui/window_actions.py" line="42" />
            <source>Show overlay</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="133" />
            <source>The overlay now lets clicks through.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="44" />
            <source>Click-through overlay</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="46" />
            <source>Show Captioner window</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="47" />
            <source>Quit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="49" />
            <source>Export transcript…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="50" />
            <source>Caption a file…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="51" />
            <source>Recover an unfinished session…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="52" />
            <source>Recover earlier session…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="54" />
            <source>Open any session still kept, including dismissed ones.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="56" />
            <source>Clear transcript</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="57" />
            <source>Search transcript</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="58" />
            <source>Play the demo recording</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="64" />
            <source>About Captioner</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="82" />
            <source>&amp;File</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="87" />
            <source>&amp;Captions</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="93" />
            <source>&amp;View</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="94" />
            <source>Language</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="103" />
            <source>System language</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="224" />
            <source>Fix the recognition settings first.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="118" />
            <source>Start a new transcript?</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="119" />
            <source>The current transcript has not been exported.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="122" />
            <source>It stays in the session journal either way.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controls_bar.py" line="47" />
            <source>Stop</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controls_bar.py" line="49" />
            <source>Stopping…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/session_display.py" line="58" />
            <source>Stop captions</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/session_display.py" line="63" />
            <source>Captioner — %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/session_display.py" line="66" />
            <source>Listening…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/session_display.py" line="69" />
            <source>Captions will appear here</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controls_bar.py" line="54" />
            <source>The input stopped (%1). Choose another input to carry on, or Stop.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="59" />
            <source>Copy diagnostics</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="61" />
            <source>Copy versions, devices and settings (never the API key) for a bug report.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="63" />
            <source>Open log folder</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="84" />
            <source>Keep finished sessions</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="95" />
            <source>&amp;Help</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="112" />
            <source>Forever</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="113" />
            <source>90 days</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="114" />
            <source>30 days</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="115" />
            <source>7 days</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="116" />
            <source>1 day</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_bar.py" line="49" />
            <source>Captions are falling behind: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="197" />
            <source>Captioning stopped</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="125" />
            <source>Speech model missing</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="72" />
            <source>Captioner cannot recognise speech on this device yet.</source>
            <extracomment>How long Stop (or closing the window) waits for the last final. Problem kinds the window turns into dialogs. The dialog for each kind of error (captioner.errors.Category): the window's one mapping, as errors.EXIT_CODES is the command line's.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="73" />
            <source>The service does not know this model name.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="78" />
            <source>Recognition stopped because of an error.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="52" />
            <source>Captioner could not reach the speech service. Check the internet connection (and any proxy or firewall), then start again. The captions so far are kept.</source>
            <extracomment>What the user chose in a problem dialog.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="57" />
            <source>A recognition setting was not accepted. Check the language, model and vocabulary on the Recognition and Engine tabs, then start again.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="62" />
            <source>The speech service reported a problem. Start again in a moment; if it keeps happening, check your Alibaba Cloud account, or use this device instead.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="67" />
            <source>Captioning was interrupted. Start again when you are ready.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="68" />
            <source>Check that the device is connected and not in use by another app, then choose it again on the Input tab — or play the demo recording instead.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="73" />
            <source>Check that the file or device can be read, choose another input on the Input tab, or play the demo recording instead.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="127" />
            <source>Choose a folder that holds a whisper model (CTranslate2 format), or recognise speech with Alibaba Cloud instead (it needs an API key).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="133" />
            <source>Choose a model folder…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="134" />
            <source>Use Alibaba Cloud</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="146" />
            <source>Unknown model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="147" />
            <source>The service does not know the model name “%1”.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="148" />
            <source>Check the spelling, or pick one of the listed models on the Engine tab, then start again.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="151" />
            <source>Choose another model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="162" />
            <source>API key needed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="164" />
            <source>Paste the API key of this region from the Alibaba Cloud Model Studio console (a key of one region does not work in the other), or recognise speech on this device instead.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="74" />
            <source>Alibaba Cloud did not accept the request: it needs a valid API key for this region.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="170" />
            <source>Enter the key</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="171" />
            <source>Use this device instead</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="183" />
            <source>Cannot listen</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="77" />
            <source>The input could not be opened.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="186" />
            <source>Play the demo instead</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="200" />
            <source>Start again. If it keeps happening, copy the diagnostics (Help → Copy diagnostics) and report the problem with them. The captions so far are kept.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="214" />
            <source>No microphone found</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="215" />
            <source>Captioner found no microphone on this computer.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="216" />
            <source>You can still caption what this computer plays (Input → System audio), caption a media file (File → Caption a file…), or watch the demo recording being captioned now.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="221" />
            <source>Play the demo</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="300" />
            <source>Click-through is on</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="45" />
            <source>Nothing to export yet.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="52" />
            <location filename="../../captioner/ui/transcript_files.py" line="70" />
            <source>Export transcript</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="71" />
            <source>The transcript has translations. What should the file hold?</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="75" />
            <source>Both</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="76" />
            <source>The original</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="77" />
            <source>The translation</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="96" />
            <source>Export failed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="97" />
            <source>The file could not be written.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="99" />
            <source>Choose another folder, or check that the disk has space and the file is not open.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="108" />
            <source>Saved %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="192" />
            <source>No earlier sessions are kept.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="212" />
            <source>The last one was cut off and is marked unfinished.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="217" />
            <source>Dismissed. You can still open it with File → Recover earlier session… for a while.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="57" />
            <location filename="../../captioner/ui/file_captioning.py" line="92" />
            <source>Caption a file</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="58" />
            <source>Audio and video (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="58" />
            <location filename="../../captioner/ui/file_captioning.py" line="113" />
            <source>All files (*)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="71" />
            <source>Save subtitles as</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="93" />
            <source>Caption this file with Fun-ASR-Flash?</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="96" />
            <source>Fun-ASR-Flash transcribes a file of up to 5 minutes in one request, and can read a context file first: names and terms to expect. Otherwise the file is streamed to the realtime model.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="102" />
            <source>Use Fun-ASR-Flash…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="103" />
            <source>Realtime model</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="112" />
            <source>Context file (optional: cancel for none)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="113" />
            <source>Text files (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="183" />
            <source>No unfinished sessions.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="283" />
            <source>The input could not be tested. Check that it is connected and not in use by another app.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="378" />
            <source>Gathering diagnostics…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="380" />
            <source>Diagnostics copied to the clipboard.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="394" />
            <source>Could not open %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="149" />
            <source>Stop captioning and quit?</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="150" />
            <source>Captioner is still captioning. Quitting stops it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="153" />
            <source>Stop and quit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="154" />
            <source>The sentence being spoken is finished and kept; you can still save the transcript before Captioner closes. Choose Cancel to keep captioning.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="48" />
            <source>Sound devices cannot be used: the audio library (PortAudio) is missing or not working. Install it with the command under Show Details, then start Captioner again.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="53" />
            <source>The on-device speech model is missing or cannot be read. Choose a model folder on the Engine tab, or use Alibaba Cloud.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="64" />
            <source>Captioner needs attention</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="65" />
            <source>Some features will not work until this is fixed:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="73" />
            <source>You can still caption media files and play the demo, or use Alibaba Cloud.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="151" />
            <source>Click-through was on when Captioner closed; it starts off. Turn it on from the Captions menu or the tray.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="433" />
            <source>No microphone found: choose System audio, a file, or the demo.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="295" />
            <source>The language changes the next time Captioner starts.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="274" />
            <source>The input stopped. Choose another input on the Input tab to carry on.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="168" />
            <source>The file's subtitles are saved; stop live captioning to view them here.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="471" />
            <source>Finishing the last sentence…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="134" />
            <source>Save the transcript?</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="138" />
            <source>They are also kept in the session journal.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="70" />
            <source>%1 … [unfinished]</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/cloud_only.py" line="29" />
            <source>Only Alibaba Cloud uses this option; the on-device engine ignores it. Choose Alibaba Cloud on the Engine tab to use it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/search_feedback.py" line="21" />
            <source>No sentence contains “%1”.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>OverlayPanel</name>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="35" />
            <source>Show the caption overlay</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="36" />
            <source>Click-through (clicks reach the window below)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="41" />
            <location filename="../../captioner/ui/overlay_panel.py" line="52" />
            <source> pt</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="43" />
            <source>Caption colour</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="44" />
            <source>Colour while being spoken</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="45" />
            <source>Background colour</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="48" />
            <source>Background opacity</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="49" />
            <source>Show the translation under each caption</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="53" />
            <source>Translation colour</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="54" />
            <source>Move to the bottom of the screen</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="61" />
            <source>Lines:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="62" />
            <source>Font size:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="63" />
            <source>Font:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="64" />
            <source>Caption colour:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="65" />
            <source>While being spoken:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="66" />
            <source>Background:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="67" />
            <source>Background opacity:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="69" />
            <source>Translation size:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="70" />
            <source>Translation colour:</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>RecognitionPanel</name>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="368" />
            <source>None ticked: the engine works the language out.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="169" />
            <source>At pauses (VAD)</source>
            <extracomment>The user wants to edit the cloud's hot-word vocabularies (the window opens the editor). The on-device model's languages while the local engine is chosen and loaded.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="170" />
            <source>By meaning (semantic)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="171" />
            <source>A sentence ends after a silence; lowest delay.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="173" />
            <source>Sentences end where the meaning does; better sentences, a little more delay.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="181" />
            <source>Max sentence silence</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="184" />
            <source> ms</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="186" />
            <source>Silence that ends a sentence (%1–%2 ms).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="188" />
            <source>Multi-threshold mode</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="189" />
            <source>Keeps long sentences from running on.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="192" />
            <source>Custom noise threshold:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="194" />
            <source>Noise threshold</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="199" />
            <source>Higher ignores more background noise but may miss quiet speech (%1 to %2).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="204" />
            <source>Punctuation</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="205" />
            <source>Write numbers as digits (ITN)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="206" />
            <source>Remove filler words (Paraformer)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="207" />
            <source>Heartbeat (cloud)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="211" />
            <source>No translation</source>
            <extracomment>Translation (issue #18): each final's translation, on the device into English, in the cloud with gummy-realtime-v1.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="216" />
            <source>On this device: into English (with a multilingual model). Other languages: the cloud's gummy-realtime-v1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="219" />
            <source>Show the original text too</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="220" />
            <source>Off: captions show the translation alone.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="221" />
            <source>Keeps the cloud task alive through long silences.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="223" />
            <source>names, jargon… (comma-separated)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="224" />
            <source>Words the on-device engine should expect.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="227" />
            <source>vocabulary id</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="229" />
            <source>The id of a hot-word vocabulary on Alibaba Cloud (or captioner serve); Edit… makes one.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="231" />
            <source>Edit…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="233" />
            <source>Create, edit and choose hot-word vocabularies on the cloud service.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="256" />
            <source>Languages:</source>
            <extracomment>Says that a typed number was brought into range (until the next edit).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="258" />
            <source>Sentences end:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="259" />
            <source>Max sentence silence:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="262" />
            <source>Hot words:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="266" />
            <source>Vocabulary:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="269" />
            <source>Translate into:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="301" />
            <source>%1: %2 is outside the range the service accepts (%3 to %4); %5 is used instead.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="357" />
            <source>The on-device model (%1) understands English only. For other languages choose “Best for the language” or whisper base on the Engine tab, or Alibaba Cloud.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="365" />
            <source>Chinese and English ticked: each sentence is written in one of them. On this device English words inside Chinese speech are often missed; Alibaba Cloud handles mixed speech.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="421" />
            <source>Invalid setting: %1</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>RecoveryDialog</name>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="105" />
            <source>Recover captions</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="105" />
            <source>Recover earlier session</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="109" />
            <source>Every session's captions are kept in its journal until the retention setting (File → Keep finished sessions) deletes it, including sessions you dismissed. Open one to view and export it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="114" />
            <source>Captioner did not finish these sessions (it may have been closed unexpectedly). Their captions were saved as they arrived. Recover one to view and export it.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="129" />
            <source>Open</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="134" />
            <source>Close</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/recovery.py" line="168" />
            <source>%1 — %n sentence(s)</source>
            <translation>
                <numerusform>%1 — %n sentence</numerusform>
                <numerusform>%1 — %n sentences</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="170" />
            <source>(the last one unfinished)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="172" />
            <source>closed</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="129" />
            <source>Recover</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="131" />
            <source>Dismiss</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="134" />
            <source>Not now</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>SourcePicker</name>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="52" />
            <location filename="../../captioner/ui/source_picker.py" line="57" />
            <source>Microphone</source>
            <extracomment>Peak below this (about -50 dBFS) counts as "nothing heard". Audio of a dead microphone (digital silence) before the warning shows. Audio with nothing heard, but not dead (room noise), before the warning shows; also the wait for system audio, which is digitally silent whenever nothing plays. The device lists were (re)read; the argument is the InputList.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="53" />
            <source>System audio (what this computer plays)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="54" />
            <source>Microphone and system audio</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="55" />
            <source>Demo recording</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="59" />
            <source>System audio source</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="62" />
            <source>Look for devices again</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="65" />
            <source>Test input</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="67" />
            <source>Listen to the chosen input to check its level, without captioning</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="80" />
            <source>Listen to:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="81" />
            <source>Microphone:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="82" />
            <source>System audio:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="88" />
            <source>Level:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="139" />
            <source>Audio devices could not be listed: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="158" />
            <source>System default</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="158" />
            <source>System default: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="162" />
            <source> (default)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="213" />
            <source>No audio detected. Is something playing? Check that the right output's monitor is chosen.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="214" />
            <source>No audio detected. Check that the microphone is connected, not muted, and chosen here.</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>Status</name>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="19" />
            <source>Ready</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="20" />
            <source>Starting…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="21" />
            <source>Listening</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="22" />
            <source>Reconnecting…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="23" />
            <source>Finishing the last sentence…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="24" />
            <source>Stopped</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="25" />
            <source>Error</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="40" />
            <location filename="../../captioner/ui/status_text.py" line="42" />
            <source>final after</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="41" />
            <source>first result after</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="43" />
            <source>last reconnect took</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="50" />
            <source>RTF %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="53" />
            <source>%1 behind</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="56" />
            <source>reconnected %1×</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="59" />
            <source>audio dropped</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>TranscriptFiles</name>
        <message numerus="yes">
            <location filename="../../captioner/ui/transcript_files.py" line="135" />
            <source>%n sentence(s) have not been exported.</source>
            <translation>
                <numerusform>%n sentence has not been exported.</numerusform>
                <numerusform>%n sentences have not been exported.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/transcript_files.py" line="210" />
            <source>Recovered %n sentence(s); export them with File → Export.</source>
            <translation>
                <numerusform>Recovered %n sentence; export it with File → Export.</numerusform>
                <numerusform>Recovered %n sentences; export them with File → Export.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>TranscriptModel</name>
        <message>
            <location filename="../../captioner/ui/transcript_model.py" line="101" />
            <source>[not captioned: %1 s]</source>
            <extracomment>One row: a final, or a gap marker. Custom roles: the Sentence (or Gap) itself, and its begin time in ms (for sorting and seeking). The roles data() answers; the view asks for 11 per row it paints (font, colours, check state...), and those it does not answer are turned away before anything else.</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_model.py" line="105" />
            <source>Audio was dropped here because recognition could not keep up</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>TranscriptView</name>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="236" />
            <source>Search the transcript</source>
            <extracomment>Repaint rate when the screen does not say its refresh rate. Flags the delegate uses for every row painted, combined once (Python enum operators are slow). Row sizes by text, for one width and font: the list lays out every row again whenever a row is added, so each text is measured once, not once per final. The user asked to export (the window owns the dialog and the file writing). Finals not yet in any exported file (the window asks before they are lost).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="240" />
            <source>Export…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="241" />
            <source>Save the transcript as SRT, WebVTT, text or JSON</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="250" />
            <source>Transcript</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="252" />
            <source>Copy with times</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="256" />
            <source>Select all</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="278" />
            <source>Being spoken</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/transcript_view.py" line="357" />
            <source>%n sentence(s)</source>
            <translation>
                <numerusform>%n sentence</numerusform>
                <numerusform>%n sentences</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="390" />
            <source>SubRip subtitles (*.srt)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="391" />
            <source>WebVTT subtitles (*.vtt)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="392" />
            <source>Plain text (*.txt)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="393" />
            <source>JSON transcript (*.json)</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>TrayIcon</name>
        <message>
            <location filename="../../captioner/ui/tray.py" line="46" />
            <source>Captioner</source>
            <translation type="unfinished" />
        </message>
    </context>
    <context>
        <name>VocabularyDialog</name>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="84" />
            <source>Hot-word vocabularies</source>
            <extracomment>Someone is waiting in front of the dialog: one quick retry, then say what is wrong. The user chose this vocabulary for recognition ("Use"). The list's first fetch, started by whoever opens the dialog (awaited by tests).</extracomment>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="92" />
            <source>Alibaba Cloud Model Studio (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="94" />
            <source>A custom REST base URL, e.g. http://127.0.0.1:8765/api/v1; empty for Alibaba Cloud.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="96" />
            <source>Refresh</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="102" />
            <source>Vocabularies</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="104" />
            <source>Word</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="104" />
            <source>Weight</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="107" />
            <source>Add word</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="108" />
            <source>Remove word</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="109" />
            <source>Target model: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="111" />
            <source>lowercase letters and digits, e.g. meeting</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="113" />
            <source>Create new</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="114" />
            <source>Save words</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="115" />
            <source>Delete</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="116" />
            <source>Use</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="117" />
            <source>Put this vocabulary's id in the Recognition settings.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="122" />
            <source>Details</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="133" />
            <source>Vocabularies:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="140" />
            <source>Words:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="149" />
            <source>New vocabulary prefix:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="160" />
            <source>Service:</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="264" />
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="267" />
            <source>%1 failed: %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="268" />
            <source>The service address is not a valid URL (for example http://127.0.0.1:8765/api/v1).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="280" />
            <source>Listing vocabularies…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="288" />
            <source>Created %1, changed %2, status %3</source>
            <translation type="unfinished" />
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="297" />
            <source>%n vocabulary(ies).</source>
            <translation>
                <numerusform>%n vocabulary.</numerusform>
                <numerusform>%n vocabularies.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="311" />
            <source>Loading %1…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="316" />
            <source>%1: %2 word(s) for %3, status %4</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="327" />
            <source>Creating…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="331" />
            <source>Created %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="339" />
            <source>Saving…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="341" />
            <source>Saved %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="349" />
            <source>Deleting…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="355" />
            <source>Deleted %1.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="362" />
            <source>%1 is now used for recognition.</source>
            <translation type="unfinished" />
        </message>
    </context>
</TS>