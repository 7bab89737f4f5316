<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
    <context>
        <name>About</name>
        <message>
            <location filename="../../captioner/ui/about.py" line="24" />
            <source>• %1 (%2): %3 licence</source>
            <translation>• %1（%2）：%3 许可证</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="32" />
            <source>Speech models on this computer:</source>
            <translation>本机上的语音模型：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="36" />
            <source>Live captions from this computer's microphone, its sound, or a media file.</source>
            <translation>为这台电脑的麦克风、播放的声音或媒体文件生成实时字幕。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="37" />
            <source>Version %1</source>
            <translation>版本 %1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="38" />
            <source>Captioner is free software under the MIT licence.</source>
            <translation>Captioner 是采用 MIT 许可证的自由软件。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="34" />
            <source>• Silero VAD (voice activity detection): MIT licence</source>
            <translation>• Silero VAD（语音活动检测）：MIT 许可证</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="40" />
            <source>Qt %1 (PySide6 %2) is used under the GNU Lesser General Public License (LGPL) version 3; you may replace the Qt libraries Captioner uses with your own build.</source>
            <translation>Qt %1（PySide6 %2）依据 GNU 宽通用公共许可证（LGPL）第 3 版使用；你可以用自己构建的 Qt 库替换 Captioner 使用的 Qt 库。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/about.py" line="55" />
            <source>About Captioner</source>
            <translation>关于 Captioner</translation>
        </message>
    </context>
    <context>
        <name>App</name>
        <message>
            <location filename="../../captioner/ui/app.py" line="128" />
            <source>Something went wrong inside Captioner.</source>
            <extracomment>Our own handle on stderr. sounddevice points fd 2 at /dev/null for the whole process while PortAudio initialises (on a worker thread here: preflight, device listing), so a line written to fd 2 at that moment is lost; this copy keeps the startup report intact.</extracomment>
            <translation>Captioner 内部出现了错误。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/app.py" line="133" />
            <source>Captioner keeps running, and the captions so far are kept. If something no longer works, quit and start Captioner again; to report it, use Help → Copy diagnostics.</source>
            <translation>Captioner 仍在运行，已有的字幕也都保留着。如果有功能不能正常使用，请退出并重新启动 Captioner；如需报告问题，请使用“帮助 → 复制诊断信息”。</translation>
        </message>
    </context>
    <context>
        <name>CaptionController</name>
        <message>
            <location filename="../../captioner/ui/controller.py" line="219" />
            <source>Loading the speech engine…</source>
            <extracomment>(kind, message): something the user must act on (see PROBLEM_*). A session ended; the argument is its journal path ("" if none). The category of the last problem reported (its dialog picks advice by it).</extracomment>
            <translation>正在加载语音引擎…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="219" />
            <source>Connecting…</source>
            <translation>正在连接…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="228" />
            <source>Opening the input…</source>
            <translation>正在打开输入…</translation>
        </message>
    </context>
    <context>
        <name>CaptionOverlay</name>
        <message>
            <location filename="../../captioner/ui/overlay.py" line="89" />
            <source>Captions</source>
            <extracomment>Finals kept for re-wrapping after a resize; more than any number of lines shown. What a drawn line is: a final, the partial being spoken, or a final's translation. Repaint rate when the screen does not say its refresh rate. The user moved or resized the overlay (debounced); the rect is the new geometry.</extracomment>
            <translation>字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay.py" line="94" />
            <source>Captions will appear here</source>
            <translation>字幕将显示在这里</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay.py" line="118" />
            <source>Drag to resize</source>
            <extracomment>Each final wrapped once at the current width and font (finals do not change). Repaint throttle: running for one refresh interval after a repaint was asked for; changes meanwhile only set _repaint_pending, painted when it runs out. Each visible word rendered once (outlining text costs ~0.5 ms a word): a partial that grew by a word renders only that word, and lines that rolled up are reused as they are. Keyed by (word, sub-pixel offset, fill colour or None for the outline, device pixel ratio). Where the overlay asked to be when it was shown, until its first paint: a window manager that places new windows itself (openbox: top-left) is overruled once.</extracomment>
            <translation>拖动以调整大小</translation>
        </message>
    </context>
    <context>
        <name>ClickThroughBadge</name>
        <message>
            <location filename="../../captioner/ui/click_through_badge.py" line="34" />
            <source>Click-through on — click here to turn it off</source>
            <translation>鼠标穿透已开启 — 点击此处关闭</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/click_through_badge.py" line="35" />
            <source>Or press %1 while a Captioner window is active.</source>
            <translation>或在 Captioner 窗口处于活动状态时按 %1。</translation>
        </message>
    </context>
    <context>
        <name>ColorButton</name>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="58" />
            <source>White</source>
            <translation>白色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="59" />
            <source>Black</source>
            <translation>黑色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="60" />
            <source>Near black</source>
            <translation>近黑色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="61" />
            <source>Grey</source>
            <translation>灰色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="62" />
            <source>Light grey</source>
            <translation>浅灰色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="63" />
            <source>Dark grey</source>
            <translation>深灰色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="64" />
            <source>Warm yellow</source>
            <translation>暖黄色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="65" />
            <source>Yellow</source>
            <translation>黄色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="66" />
            <source>Orange</source>
            <translation>橙色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="67" />
            <source>Red</source>
            <translation>红色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="68" />
            <source>Dark red</source>
            <translation>深红色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="69" />
            <source>Pink</source>
            <translation>粉色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="70" />
            <source>Purple</source>
            <translation>紫色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="71" />
            <source>Blue</source>
            <translation>蓝色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="72" />
            <source>Navy</source>
            <translation>藏青色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="73" />
            <source>Sky blue</source>
            <translation>天蓝色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="74" />
            <source>Cyan</source>
            <translation>青色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="75" />
            <source>Green</source>
            <translation>绿色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="76" />
            <source>Light green</source>
            <translation>浅绿色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="77" />
            <source>Dark green</source>
            <translation>深绿色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="78" />
            <source>Brown</source>
            <translation>棕色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/color_button.py" line="79" />
            <source>Beige</source>
            <translation>米色</translation>
        </message>
    </context>
    <context>
        <name>EngineHost</name>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="96" />
            <source>Loading %1…</source>
            <extracomment>The error code the on-device engine uses when it has no model (see local/models.py). (state, message): state is "loading", "ready", "error" or "idle".</extracomment>
            <translation>正在加载 %1…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="128" />
            <location filename="../../captioner/ui/engine_host.py" line="156" />
            <source>Loading the speech model…</source>
            <translation>正在加载语音模型…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="132" />
            <source>Custom server (%1)</source>
            <translation>自定义服务器（%1）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="134" />
            <source>Beijing</source>
            <translation>北京</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="134" />
            <source>Singapore</source>
            <translation>新加坡</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="144" />
            <source>the best engine for the language</source>
            <translation>按语言自动选择的最佳引擎</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="145" />
            <source>On this device: %1</source>
            <translation>本机：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="166" />
            <source>The on-device speech engine is not installed (%1). Reinstall Captioner, or use Alibaba Cloud.</source>
            <translation>本机语音引擎未安装（%1）。请重新安装 Captioner，或使用阿里云。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="175" />
            <source>The speech model could not be loaded: %1</source>
            <translation>无法加载语音模型：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="191" />
            <source>The Alibaba Cloud engine is not available in this version of Captioner.</source>
            <translation>此版本的 Captioner 不提供阿里云引擎。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_host.py" line="137" />
            <source>Alibaba Cloud (%1)</source>
            <translation>阿里云（%1）</translation>
        </message>
    </context>
    <context>
        <name>EnginePanel</name>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="64" />
            <source>On this device (offline)</source>
            <extracomment>The recognition model name changed (the language list depends on it).</extracomment>
            <translation>本机识别（离线）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="65" />
            <source>Alibaba Cloud Model Studio</source>
            <translation>阿里云百炼</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="66" />
            <source>Speech is recognised on this computer; nothing leaves it.</source>
            <translation>语音在这台电脑上识别，数据不会离开本机。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="67" />
            <source>Fun-ASR / Paraformer realtime recognition; needs an API key.</source>
            <translation>Fun-ASR / Paraformer 实时识别，需要 API 密钥。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="83" />
            <source>Choose…</source>
            <translation>选择…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="93" />
            <source>Model folder:</source>
            <translation>模型文件夹：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="98" />
            <source>China (Beijing)</source>
            <translation>中国（北京）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="99" />
            <source>International (Singapore)</source>
            <translation>国际（新加坡）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="103" />
            <source>Realtime recognition model; you can type another model's name.</source>
            <translation>实时识别模型；也可以输入其他模型名称。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="106" />
            <source>sk-… (stored in the system keyring)</source>
            <translation>sk-…（保存在系统密钥环中）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="107" />
            <source>API key</source>
            <translation>API 密钥</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="109" />
            <source>Show the key</source>
            <translation>显示密钥</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="119" />
            <source>optional</source>
            <translation>可选</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="121" />
            <source>optional: wss://… (e.g. another Captioner's “captioner serve”)</source>
            <translation>可选：wss://…（例如另一台电脑上运行的 captioner serve）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="282" />
            <source>The system keyring did not take the key: it is kept only until Captioner quits.</source>
            <translation>系统密钥环没有保存密钥：密钥只保留到 Captioner 退出。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="123" />
            <source>A custom URL has its own API key: the key saved for Alibaba Cloud is never sent to it.</source>
            <translation>自定义地址使用自己的 API 密钥：为阿里云保存的密钥不会发送到该地址。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="76" />
            <source>On-device engine</source>
            <translation>本机引擎</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="79" />
            <source>optional: a whisper model folder instead</source>
            <translation>可选：改用一个 whisper 模型文件夹</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="81" />
            <source>A CTranslate2 whisper model folder; it replaces the engine chosen above. Leave empty to use it.</source>
            <translation>CTranslate2 格式的 whisper 模型文件夹；填写后将代替上面选择的引擎。留空则使用该引擎。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="92" />
            <source>Engine:</source>
            <translation>引擎：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="130" />
            <source>Region:</source>
            <translation>地域：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="131" />
            <source>Model:</source>
            <translation>模型：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="132" />
            <source>API key:</source>
            <translation>API 密钥：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="134" />
            <source>Workspace:</source>
            <translation>业务空间：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="135" />
            <source>Custom URL:</source>
            <translation>自定义地址：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="183" />
            <source>Best for the language</source>
            <translation>按语言自动选择</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="186" />
            <source>Best for the language: %1 for English, %2 for Chinese and others</source>
            <translation>按语言自动选择：英文用 %1，中文及其他语言用 %2</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="196" />
            <source>%1 — not installed</source>
            <translation>%1 — 未安装</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="197" />
            <source>Install it with: %1</source>
            <translation>安装命令：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="259" />
            <source>%1 is only offered in the China (Beijing) region; choose Fun-ASR for Singapore.</source>
            <translation>%1 仅在中国（北京）地域提供；新加坡地域请选择 Fun-ASR。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="286" />
            <source>No system keyring is available: the key is kept only until Captioner quits.</source>
            <translation>系统密钥环不可用：密钥只保留到 Captioner 退出。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="289" />
            <source>The key for this custom URL is stored in the system keyring.</source>
            <translation>此自定义地址的密钥已保存在系统密钥环中。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="291" />
            <source>The key is stored in the system keyring.</source>
            <translation>密钥已保存在系统密钥环中。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="294" />
            <source>The key this server needs (for `captioner serve --token X`: X); none if it needs none.</source>
            <translation>该服务器需要的密钥（对于 `captioner serve --token X`，即 X）；如不需要则留空。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="297" />
            <source>Or set the DASHSCOPE_API_KEY environment variable.</source>
            <translation>也可以设置环境变量 DASHSCOPE_API_KEY。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="305" />
            <source>The key contains spaces or line breaks; paste it again.</source>
            <translation>密钥中含有空格或换行，请重新粘贴。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/engine_panel.py" line="323" />
            <source>Choose a whisper model folder</source>
            <translation>选择 whisper 模型文件夹</translation>
        </message>
    </context>
    <context>
        <name>FileCaptionDialog</name>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="63" />
            <source>Caption a file</source>
            <translation>为文件生成字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="78" />
            <source>Details</source>
            <translation>详细信息</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="88" />
            <source>Open folder</source>
            <translation>打开文件夹</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="117" />
            <source>Label speakers</source>
            <translation>标注说话人</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="119" />
            <source>Auto</source>
            <translation>自动</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="122" />
            <source>Number of speakers:</source>
            <translation>说话人数：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="153" />
            <source>Tell the voices apart and put [Speaker N] before each sentence, here and in the subtitles. Runs on this computer once the words are recognized, with any engine.</source>
            <translation>区分不同的声音，并在这里和字幕中的每句话前加上 [Speaker N]。文字识别完成后在这台电脑上运行，适用于任何引擎。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="173" />
            <source>Captioning %1
Subtitles will be saved to %2</source>
            <translation>正在为 %1 生成字幕
字幕将保存到 %2</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="178" />
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="183" />
            <source>Telling speakers apart needs the moonshine-voice package (its speaker models). Install it with: %1</source>
            <translation>区分说话人需要 moonshine-voice 软件包（其中的说话人模型）。安装命令：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="187" />
            <source>Fun-ASR-Flash returns the whole file as one sentence, so there is nothing to label by speaker. Choose the realtime model to label speakers.</source>
            <translation>Fun-ASR-Flash 将整个文件作为一句话返回，因此无法按说话人标注。要标注说话人，请选择实时模型。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="212" />
            <location filename="../../captioner/ui/file_dialog.py" line="227" />
            <location filename="../../captioner/ui/file_dialog.py" line="234" />
            <source>Applies to the next file you caption.</source>
            <translation>将用于下一个生成字幕的文件。</translation>
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/file_dialog.py" line="213" />
            <source>Saved %n sentence(s) to %1</source>
            <translation>
                <numerusform>已将 %n 句保存到 %1</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/file_dialog.py" line="220" />
            <source>%n speaker(s) told apart.</source>
            <translation>
                <numerusform>已区分 %n 位说话人。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="223" />
            <location filename="../../captioner/ui/file_dialog.py" line="231" />
            <location filename="../../captioner/ui/file_dialog.py" line="236" />
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="228" />
            <source>Captioning failed: %1</source>
            <translation>生成字幕失败：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_dialog.py" line="235" />
            <source>Cancelled; nothing was saved.</source>
            <translation>已取消，未保存任何内容。</translation>
        </message>
    </context>
    <context>
        <name>FileCaptionJob</name>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="189" />
            <source>Opening %1…</source>
            <translation>正在打开 %1…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="192" />
            <source>Loading the speech engine…</source>
            <translation>正在加载语音引擎…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="194" />
            <source>Captioning %1…</source>
            <translation>正在识别 %1…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="211" />
            <source>Sending %1 to %2…</source>
            <translation>正在将 %1 发送到 %2…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="230" />
            <source>Telling speakers apart…</source>
            <translation>正在区分说话人…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="243" />
            <source>The speakers could not be told apart, so the subtitles have no speaker labels.</source>
            <translation>无法区分说话人，因此字幕中没有说话人标签。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_job.py" line="161" />
            <source>The subtitle file could not be written. Choose another folder, or check that the disk has space and the file is not open elsewhere.</source>
            <extracomment>Where the progress bar waits while the last sentence is decoded and the file written. Done: the subtitle file written, and how many sentences it holds. Done: everything recognised (finals and gaps), for the transcript view. (what happened and what to do, translated; the technical detail). Recognition is done and the speakers are being told apart (the choice is taken). The speakers could not be told apart: (what happened, translated; the detail). The sentences are saved without labels all the same. Read when recognition ends, not at start: the dialog lets the user change it while the file is being recognized.</extracomment>
            <translation>无法写入字幕文件。请选择其他文件夹，或检查磁盘是否有空间、文件是否在别处被打开。</translation>
        </message>
    </context>
    <context>
        <name>Languages</name>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="55" />
            <source>Chinese</source>
            <extracomment>Languages a translation can go into: English on the device, these in the cloud (gummy-realtime-v1 translates between its source languages; docs/protocol.md §2.3).</extracomment>
            <translation>中文</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="56" />
            <source>English</source>
            <translation>英语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="57" />
            <source>Japanese</source>
            <translation>日语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="58" />
            <source>Cantonese</source>
            <translation>粤语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="59" />
            <source>Korean</source>
            <translation>韩语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="60" />
            <source>German</source>
            <translation>德语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="61" />
            <source>French</source>
            <translation>法语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="62" />
            <source>Russian</source>
            <translation>俄语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="63" />
            <source>Spanish</source>
            <translation>西班牙语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="64" />
            <source>Italian</source>
            <translation>意大利语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="65" />
            <source>Portuguese</source>
            <translation>葡萄牙语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="66" />
            <source>Vietnamese</source>
            <translation>越南语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="67" />
            <source>Thai</source>
            <translation>泰语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="68" />
            <source>Arabic</source>
            <translation>阿拉伯语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="69" />
            <source>Hindi</source>
            <translation>印地语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="70" />
            <source>Indonesian</source>
            <translation>印尼语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="71" />
            <source>Malay</source>
            <translation>马来语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="72" />
            <source>Tagalog</source>
            <translation>他加禄语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="73" />
            <source>Dutch</source>
            <translation>荷兰语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="74" />
            <source>Swedish</source>
            <translation>瑞典语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="75" />
            <source>Danish</source>
            <translation>丹麦语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="76" />
            <source>Finnish</source>
            <translation>芬兰语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="77" />
            <source>Norwegian</source>
            <translation>挪威语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="78" />
            <source>Greek</source>
            <translation>希腊语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="79" />
            <source>Polish</source>
            <translation>波兰语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="80" />
            <source>Czech</source>
            <translation>捷克语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="81" />
            <source>Hungarian</source>
            <translation>匈牙利语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="82" />
            <source>Romanian</source>
            <translation>罗马尼亚语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="83" />
            <source>Bulgarian</source>
            <translation>保加利亚语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="84" />
            <source>Croatian</source>
            <translation>克罗地亚语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="85" />
            <source>Slovak</source>
            <translation>斯洛伐克语</translation>
        </message>
    </context>
    <context>
        <name>LevelMeter</name>
        <message>
            <location filename="../../captioner/ui/level_meter.py" line="35" />
            <source>Input level</source>
            <translation>输入电平</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/level_meter.py" line="55" />
            <source>%1 dBFS</source>
            <translation>%1 dBFS</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../captioner/ui/app.py" line="216" />
            <location filename="../../captioner/ui/main_window.py" line="93" />
            <source>Captioner</source>
            <extracomment>Whether the device lists have been read once (a missing microphone is known).</extracomment>
            <translation>Captioner 实时字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="29" />
            <source>Microphone: what is said in the room. System audio: what this computer plays (a video call, a film, a stream). Microphone and system audio: both, mixed. Demo recording: a sample that shows how captioning works. To caption a recording instead, use File → Caption a file… or drop the file on this window.</source>
            <translation>麦克风：房间里说的话。系统音频：这台电脑播放的声音（视频通话、电影、直播）。麦克风和系统音频：两者混合。演示录音：一段示例，展示字幕如何生成。如需为录音文件生成字幕，请使用“文件 → 为文件生成字幕…”，或把文件拖到此窗口。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="49" />
            <source>Input</source>
            <translation>输入</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="50" />
            <source>Engine</source>
            <translation>引擎</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="51" />
            <source>Recognition</source>
            <translation>识别</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/settings_tabs.py" line="52" />
            <source>Overlay</source>
            <translation>悬浮字幕</translation>
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
            <translation>开始字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/settings_sync.py" line="65" />
            <source>Engine and recognition changes apply when you next start.</source>
            <extracomment>How often, and for how long, a failed input is looked for again.</extracomment>
            <translation>引擎和识别设置将在下次开始时生效。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/settings_sync.py" line="172" />
            <source>on-device engines</source>
            <translation>本机引擎</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="75" />
            <source>Turn this off from the tray menu, or with %1 from any app.</source>
            <extracomment>Whether a tray icon (and so its menu) can be the way back from click-through. Ctrl+Shift+T from any app, where the platform lets an app take a key (X11).</extracomment>
            <translation>可在托盘菜单中关闭，或在任何应用中按 %1 关闭。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="77" />
            <source>Turn this off from the tray menu, or with %1 while a Captioner window is active.</source>
            <translation>可在托盘菜单中关闭，或在 Captioner 窗口处于活动状态时按 %1 关闭。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="81" />
            <source>Turn this off with the “Click-through on” tab above the overlay, or with %1 from any app.</source>
            <translation>可点击悬浮字幕上方的“鼠标穿透已开启”标签关闭，或在任何应用中按 %1 关闭。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="86" />
            <source>Turn this off with the “Click-through on” tab above the overlay, or with %1 while a Captioner window is active.</source>
            <translation>可点击悬浮字幕上方的“鼠标穿透已开启”标签关闭，或在 Captioner 窗口处于活动状态时按 %1 关闭。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="115" />
            <location filename="../../captioner/ui/window_actions.py" line="42" />
            <source>Show overlay</source>
            <translation>显示悬浮字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="133" />
            <source>The overlay now lets clicks through.</source>
            <translation>悬浮字幕现在允许鼠标穿透。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="44" />
            <source>Click-through overlay</source>
            <translation>悬浮字幕鼠标穿透</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="46" />
            <source>Show Captioner window</source>
            <translation>显示 Captioner 窗口</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="47" />
            <source>Quit</source>
            <translation>退出</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="49" />
            <source>Export transcript…</source>
            <translation>导出文稿…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="50" />
            <source>Caption a file…</source>
            <translation>为文件生成字幕…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="51" />
            <source>Recover an unfinished session…</source>
            <translation>恢复未完成的会话…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="52" />
            <source>Recover earlier session…</source>
            <translation>恢复较早的会话…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="54" />
            <source>Open any session still kept, including dismissed ones.</source>
            <translation>打开仍保留的任意会话，包括已忽略的会话。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="56" />
            <source>Clear transcript</source>
            <translation>清空文稿</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="57" />
            <source>Search transcript</source>
            <translation>搜索文稿</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="58" />
            <source>Play the demo recording</source>
            <translation>播放演示录音</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="64" />
            <source>About Captioner</source>
            <translation>关于 Captioner</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="82" />
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="87" />
            <source>&amp;Captions</source>
            <translation>字幕(&amp;C)</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="93" />
            <source>&amp;View</source>
            <translation>视图(&amp;V)</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="94" />
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="103" />
            <source>System language</source>
            <translation>跟随系统</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="224" />
            <source>Fix the recognition settings first.</source>
            <translation>请先修正识别设置。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="118" />
            <source>Start a new transcript?</source>
            <translation>开始新的文稿？</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="119" />
            <source>The current transcript has not been exported.</source>
            <translation>当前文稿尚未导出。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="122" />
            <source>It stays in the session journal either way.</source>
            <translation>无论如何，它都会保留在会话日志中。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controls_bar.py" line="47" />
            <source>Stop</source>
            <translation>停止</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controls_bar.py" line="49" />
            <source>Stopping…</source>
            <translation>正在停止…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/session_display.py" line="58" />
            <source>Stop captions</source>
            <translation>停止字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/session_display.py" line="63" />
            <source>Captioner — %1</source>
            <translation>Captioner 实时字幕 — %1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/session_display.py" line="66" />
            <source>Listening…</source>
            <translation>正在聆听…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/session_display.py" line="69" />
            <source>Captions will appear here</source>
            <translation>字幕将显示在这里</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controls_bar.py" line="54" />
            <source>The input stopped (%1). Choose another input to carry on, or Stop.</source>
            <translation>输入已停止（%1）。请选择其他输入以继续，或点击停止。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="59" />
            <source>Copy diagnostics</source>
            <translation>复制诊断信息</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="61" />
            <source>Copy versions, devices and settings (never the API key) for a bug report.</source>
            <translation>复制版本、设备和设置信息（不含 API 密钥），用于报告问题。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="63" />
            <source>Open log folder</source>
            <translation>打开日志文件夹</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="84" />
            <source>Keep finished sessions</source>
            <translation>保留已结束的会话</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="95" />
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="112" />
            <source>Forever</source>
            <translation>永久</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="113" />
            <source>90 days</source>
            <translation>90 天</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="114" />
            <source>30 days</source>
            <translation>30 天</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="115" />
            <source>7 days</source>
            <translation>7 天</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/window_actions.py" line="116" />
            <source>1 day</source>
            <translation>1 天</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_bar.py" line="49" />
            <source>Captions are falling behind: %1</source>
            <translation>字幕出现延迟：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="197" />
            <source>Captioning stopped</source>
            <translation>字幕已停止</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="125" />
            <source>Speech model missing</source>
            <translation>缺少语音模型</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="72" />
            <source>Captioner cannot recognise speech on this device yet.</source>
            <extracomment>How long Stop (or closing the window) waits for the last final. Problem kinds the window turns into dialogs. The dialog for each kind of error (captioner.errors.Category): the window's one mapping, as errors.EXIT_CODES is the command line's.</extracomment>
            <translation>Captioner 目前还无法在本机识别语音。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="73" />
            <source>The service does not know this model name.</source>
            <translation>服务无法识别这个模型名称。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="78" />
            <source>Recognition stopped because of an error.</source>
            <translation>识别因出错而停止。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="52" />
            <source>Captioner could not reach the speech service. Check the internet connection (and any proxy or firewall), then start again. The captions so far are kept.</source>
            <extracomment>What the user chose in a problem dialog.</extracomment>
            <translation>Captioner 无法连接语音服务。请检查网络连接（以及代理或防火墙），然后重新开始。已有的字幕会保留。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="57" />
            <source>A recognition setting was not accepted. Check the language, model and vocabulary on the Recognition and Engine tabs, then start again.</source>
            <translation>有一项识别设置未被接受。请在“识别”和“引擎”选项卡中检查语言、模型和热词表，然后重新开始。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="62" />
            <source>The speech service reported a problem. Start again in a moment; if it keeps happening, check your Alibaba Cloud account, or use this device instead.</source>
            <translation>语音服务报告了一个问题。请稍后重新开始；如果问题持续出现，请检查你的阿里云账号，或改用本机识别。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="67" />
            <source>Captioning was interrupted. Start again when you are ready.</source>
            <translation>字幕生成被中断。准备好后请重新开始。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="68" />
            <source>Check that the device is connected and not in use by another app, then choose it again on the Input tab — or play the demo recording instead.</source>
            <translation>请确认设备已连接且未被其他应用占用，然后在“输入”选项卡中重新选择它，或改为播放演示录音。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="73" />
            <source>Check that the file or device can be read, choose another input on the Input tab, or play the demo recording instead.</source>
            <translation>请确认文件或设备可以读取，在“输入”选项卡中选择其他输入，或改为播放演示录音。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="127" />
            <source>Choose a folder that holds a whisper model (CTranslate2 format), or recognise speech with Alibaba Cloud instead (it needs an API key).</source>
            <translation>请选择一个包含 whisper 模型（CTranslate2 格式）的文件夹，或改用阿里云识别语音（需要 API 密钥）。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="133" />
            <source>Choose a model folder…</source>
            <translation>选择模型文件夹…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="134" />
            <source>Use Alibaba Cloud</source>
            <translation>使用阿里云</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="146" />
            <source>Unknown model</source>
            <translation>未知模型</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="147" />
            <source>The service does not know the model name “%1”.</source>
            <translation>服务不认识模型名称“%1”。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="148" />
            <source>Check the spelling, or pick one of the listed models on the Engine tab, then start again.</source>
            <translation>请检查拼写，或在“引擎”选项卡中选择列表中的模型，然后重新开始。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="151" />
            <source>Choose another model</source>
            <translation>选择其他模型</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="162" />
            <source>API key needed</source>
            <translation>需要 API 密钥</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="164" />
            <source>Paste the API key of this region from the Alibaba Cloud Model Studio console (a key of one region does not work in the other), or recognise speech on this device instead.</source>
            <translation>请从阿里云百炼控制台粘贴本地域的 API 密钥（一个地域的密钥不能用于另一个地域），或改用本机识别语音。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="74" />
            <source>Alibaba Cloud did not accept the request: it needs a valid API key for this region.</source>
            <translation>阿里云未接受请求：需要该地域有效的 API 密钥。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="170" />
            <source>Enter the key</source>
            <translation>输入密钥</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="171" />
            <source>Use this device instead</source>
            <translation>改用本机识别</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="183" />
            <source>Cannot listen</source>
            <translation>无法收听</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/controller.py" line="77" />
            <source>The input could not be opened.</source>
            <translation>无法打开输入。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="186" />
            <source>Play the demo instead</source>
            <translation>改为播放演示</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="200" />
            <source>Start again. If it keeps happening, copy the diagnostics (Help → Copy diagnostics) and report the problem with them. The captions so far are kept.</source>
            <translation>请重新开始。如果问题持续出现，请复制诊断信息（帮助 → 复制诊断信息）并连同问题一起报告。已有的字幕会保留。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="214" />
            <source>No microphone found</source>
            <translation>未找到麦克风</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="215" />
            <source>Captioner found no microphone on this computer.</source>
            <translation>Captioner 在这台电脑上没有找到麦克风。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="216" />
            <source>You can still caption what this computer plays (Input → System audio), caption a media file (File → Caption a file…), or watch the demo recording being captioned now.</source>
            <translation>你仍然可以为电脑播放的声音生成字幕（输入 → 系统声音），为媒体文件生成字幕（文件 → 为文件生成字幕…），或者现在就观看演示录音的字幕效果。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/error_dialogs.py" line="221" />
            <source>Play the demo</source>
            <translation>播放演示</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="300" />
            <source>Click-through is on</source>
            <translation>鼠标穿透已开启</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="45" />
            <source>Nothing to export yet.</source>
            <translation>还没有可导出的内容。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="52" />
            <location filename="../../captioner/ui/transcript_files.py" line="70" />
            <source>Export transcript</source>
            <translation>导出文稿</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="71" />
            <source>The transcript has translations. What should the file hold?</source>
            <translation>文稿中有译文。文件中要保存什么？</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="75" />
            <source>Both</source>
            <translation>原文和译文</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="76" />
            <source>The original</source>
            <translation>仅原文</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="77" />
            <source>The translation</source>
            <translation>仅译文</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="96" />
            <source>Export failed</source>
            <translation>导出失败</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="97" />
            <source>The file could not be written.</source>
            <translation>无法写入文件。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="99" />
            <source>Choose another folder, or check that the disk has space and the file is not open.</source>
            <translation>请选择其他文件夹，或检查磁盘是否有空间、文件是否被其他程序打开。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="108" />
            <source>Saved %1</source>
            <translation>已保存 %1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="192" />
            <source>No earlier sessions are kept.</source>
            <translation>没有保留任何较早的会话。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="212" />
            <source>The last one was cut off and is marked unfinished.</source>
            <translation>最后一句被中断，已标记为未说完。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="217" />
            <source>Dismissed. You can still open it with File → Recover earlier session… for a while.</source>
            <translation>已忽略。在一段时间内，你仍可以通过“文件 → 恢复较早的会话…”打开它。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="57" />
            <location filename="../../captioner/ui/file_captioning.py" line="92" />
            <source>Caption a file</source>
            <translation>为文件生成字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="58" />
            <source>Audio and video (%1)</source>
            <translation>音频和视频（%1）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="58" />
            <location filename="../../captioner/ui/file_captioning.py" line="113" />
            <source>All files (*)</source>
            <translation>所有文件 (*)</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="71" />
            <source>Save subtitles as</source>
            <translation>字幕另存为</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="93" />
            <source>Caption this file with Fun-ASR-Flash?</source>
            <translation>用 Fun-ASR-Flash 为这个文件生成字幕？</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="96" />
            <source>Fun-ASR-Flash transcribes a file of up to 5 minutes in one request, and can read a context file first: names and terms to expect. Otherwise the file is streamed to the realtime model.</source>
            <translation>Fun-ASR-Flash 用一次请求转写最长 5 分钟的文件，并可以先读取一个上下文文件：其中写着可能出现的人名和术语。否则，文件会以流式方式发送给实时模型。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="102" />
            <source>Use Fun-ASR-Flash…</source>
            <translation>使用 Fun-ASR-Flash…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="103" />
            <source>Realtime model</source>
            <translation>实时模型</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="112" />
            <source>Context file (optional: cancel for none)</source>
            <translation>上下文文件（可选：取消则不使用）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/file_captioning.py" line="113" />
            <source>Text files (%1)</source>
            <translation>文本文件（%1）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="183" />
            <source>No unfinished sessions.</source>
            <translation>没有未完成的会话。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="283" />
            <source>The input could not be tested. Check that it is connected and not in use by another app.</source>
            <translation>无法测试此输入。请确认它已连接，且未被其他应用占用。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="378" />
            <source>Gathering diagnostics…</source>
            <translation>正在收集诊断信息…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="380" />
            <source>Diagnostics copied to the clipboard.</source>
            <translation>诊断信息已复制到剪贴板。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="394" />
            <source>Could not open %1</source>
            <translation>无法打开 %1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="149" />
            <source>Stop captioning and quit?</source>
            <translation>停止字幕并退出？</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="150" />
            <source>Captioner is still captioning. Quitting stops it.</source>
            <translation>Captioner 仍在生成字幕。退出会停止字幕。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="153" />
            <source>Stop and quit</source>
            <translation>停止并退出</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="154" />
            <source>The sentence being spoken is finished and kept; you can still save the transcript before Captioner closes. Choose Cancel to keep captioning.</source>
            <translation>正在说的这句话会被完成并保留；在 Captioner 关闭前你仍可以保存文字记录。选择“取消”可继续生成字幕。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="48" />
            <source>Sound devices cannot be used: the audio library (PortAudio) is missing or not working. Install it with the command under Show Details, then start Captioner again.</source>
            <translation>无法使用声音设备：音频库（PortAudio）缺失或无法工作。请用“显示详细信息”中的命令安装它，然后重新启动 Captioner。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="53" />
            <source>The on-device speech model is missing or cannot be read. Choose a model folder on the Engine tab, or use Alibaba Cloud.</source>
            <translation>本机语音模型缺失或无法读取。请在“引擎”选项卡中选择模型文件夹，或使用阿里云。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="64" />
            <source>Captioner needs attention</source>
            <translation>Captioner 需要注意</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="65" />
            <source>Some features will not work until this is fixed:</source>
            <translation>以下问题解决之前，部分功能无法使用：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/support.py" line="73" />
            <source>You can still caption media files and play the demo, or use Alibaba Cloud.</source>
            <translation>你仍然可以为媒体文件生成字幕、播放演示，或使用阿里云。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_control.py" line="151" />
            <source>Click-through was on when Captioner closed; it starts off. Turn it on from the Captions menu or the tray.</source>
            <translation>上次退出时鼠标穿透处于开启状态；本次启动时已关闭。可在“字幕”菜单或托盘中重新开启。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="433" />
            <source>No microphone found: choose System audio, a file, or the demo.</source>
            <translation>未找到麦克风：请选择系统声音、媒体文件或演示录音。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="295" />
            <source>The language changes the next time Captioner starts.</source>
            <translation>语言将在下次启动 Captioner 时更改。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="274" />
            <source>The input stopped. Choose another input on the Input tab to carry on.</source>
            <translation>输入已停止。请在“输入”选项卡中选择其他输入以继续。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="168" />
            <source>The file's subtitles are saved; stop live captioning to view them here.</source>
            <translation>文件的字幕已保存；停止实时字幕后即可在这里查看。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/main_window.py" line="471" />
            <source>Finishing the last sentence…</source>
            <translation>正在完成最后一句…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="134" />
            <source>Save the transcript?</source>
            <translation>保存文稿？</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_files.py" line="138" />
            <source>They are also kept in the session journal.</source>
            <translation>它们也保存在会话日志中。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="70" />
            <source>%1 … [unfinished]</source>
            <translation>%1 … [未说完]</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/cloud_only.py" line="29" />
            <source>Only Alibaba Cloud uses this option; the on-device engine ignores it. Choose Alibaba Cloud on the Engine tab to use it.</source>
            <translation>只有阿里云会使用此选项，本机引擎会忽略它。如需使用，请在“引擎”选项卡中选择阿里云。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/search_feedback.py" line="21" />
            <source>No sentence contains “%1”.</source>
            <translation>没有句子包含“%1”。</translation>
        </message>
    </context>
    <context>
        <name>OverlayPanel</name>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="35" />
            <source>Show the caption overlay</source>
            <translation>显示悬浮字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="36" />
            <source>Click-through (clicks reach the window below)</source>
            <translation>鼠标穿透（点击会传到下方窗口）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="41" />
            <location filename="../../captioner/ui/overlay_panel.py" line="52" />
            <source> pt</source>
            <translation> 磅</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="43" />
            <source>Caption colour</source>
            <translation>字幕颜色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="44" />
            <source>Colour while being spoken</source>
            <translation>识别中文字颜色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="45" />
            <source>Background colour</source>
            <translation>背景颜色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="48" />
            <source>Background opacity</source>
            <translation>背景不透明度</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="49" />
            <source>Show the translation under each caption</source>
            <translation>在每行字幕下显示译文</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="53" />
            <source>Translation colour</source>
            <translation>译文颜色</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="54" />
            <source>Move to the bottom of the screen</source>
            <translation>移到屏幕底部</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="61" />
            <source>Lines:</source>
            <translation>行数：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="62" />
            <source>Font size:</source>
            <translation>字号：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="63" />
            <source>Font:</source>
            <translation>字体：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="64" />
            <source>Caption colour:</source>
            <translation>字幕颜色：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="65" />
            <source>While being spoken:</source>
            <translation>识别中：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="66" />
            <source>Background:</source>
            <translation>背景：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="67" />
            <source>Background opacity:</source>
            <translation>背景不透明度：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="69" />
            <source>Translation size:</source>
            <translation>译文字号：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/overlay_panel.py" line="70" />
            <source>Translation colour:</source>
            <translation>译文颜色：</translation>
        </message>
    </context>
    <context>
        <name>RecognitionPanel</name>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="368" />
            <source>None ticked: the engine works the language out.</source>
            <translation>都不勾选时，由引擎自动判断语言。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="169" />
            <source>At pauses (VAD)</source>
            <extracomment>The user wants to edit the cloud's hot-word vocabularies (the window opens the editor). The on-device model's languages while the local engine is chosen and loaded.</extracomment>
            <translation>按停顿（VAD）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="170" />
            <source>By meaning (semantic)</source>
            <translation>按语义</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="171" />
            <source>A sentence ends after a silence; lowest delay.</source>
            <translation>静音后断句；延迟最低。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="173" />
            <source>Sentences end where the meaning does; better sentences, a little more delay.</source>
            <translation>按语义断句；句子更完整，延迟稍高。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="181" />
            <source>Max sentence silence</source>
            <translation>最长句间静音</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="184" />
            <source> ms</source>
            <translation> 毫秒</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="186" />
            <source>Silence that ends a sentence (%1–%2 ms).</source>
            <translation>多长的静音结束一句（%1–%2 毫秒）。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="188" />
            <source>Multi-threshold mode</source>
            <translation>多阈值模式</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="189" />
            <source>Keeps long sentences from running on.</source>
            <translation>避免句子过长。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="192" />
            <source>Custom noise threshold:</source>
            <translation>自定义噪声阈值：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="194" />
            <source>Noise threshold</source>
            <translation>噪声阈值</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="199" />
            <source>Higher ignores more background noise but may miss quiet speech (%1 to %2).</source>
            <translation>数值越高，越能忽略背景噪声，但可能漏掉轻声说话（%1 到 %2）。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="204" />
            <source>Punctuation</source>
            <translation>标点</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="205" />
            <source>Write numbers as digits (ITN)</source>
            <translation>数字写成阿拉伯数字（ITN）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="206" />
            <source>Remove filler words (Paraformer)</source>
            <translation>过滤语气词（Paraformer）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="207" />
            <source>Heartbeat (cloud)</source>
            <translation>心跳（云端）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="211" />
            <source>No translation</source>
            <extracomment>Translation (issue #18): each final's translation, on the device into English, in the cloud with gummy-realtime-v1.</extracomment>
            <translation>不翻译</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="216" />
            <source>On this device: into English (with a multilingual model). Other languages: the cloud's gummy-realtime-v1.</source>
            <translation>本机：译成英文（需要多语种模型）。其他语言：使用云端的 gummy-realtime-v1。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="219" />
            <source>Show the original text too</source>
            <translation>同时显示原文</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="220" />
            <source>Off: captions show the translation alone.</source>
            <translation>关闭后，字幕只显示译文。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="221" />
            <source>Keeps the cloud task alive through long silences.</source>
            <translation>长时间静音时保持云端任务不断开。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="223" />
            <source>names, jargon… (comma-separated)</source>
            <translation>人名、术语…（用逗号分隔）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="224" />
            <source>Words the on-device engine should expect.</source>
            <translation>本机引擎应优先识别的词。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="227" />
            <source>vocabulary id</source>
            <translation>热词表 ID</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="229" />
            <source>The id of a hot-word vocabulary on Alibaba Cloud (or captioner serve); Edit… makes one.</source>
            <translation>阿里云（或 captioner serve）上热词表的 ID；点“编辑…”可新建。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="231" />
            <source>Edit…</source>
            <translation>编辑…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="233" />
            <source>Create, edit and choose hot-word vocabularies on the cloud service.</source>
            <translation>在云服务上创建、编辑和选择热词表。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="256" />
            <source>Languages:</source>
            <extracomment>Says that a typed number was brought into range (until the next edit).</extracomment>
            <translation>语言：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="258" />
            <source>Sentences end:</source>
            <translation>断句方式：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="259" />
            <source>Max sentence silence:</source>
            <translation>最大断句静音：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="262" />
            <source>Hot words:</source>
            <translation>热词：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="266" />
            <source>Vocabulary:</source>
            <translation>热词表：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="269" />
            <source>Translate into:</source>
            <translation>翻译为：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="301" />
            <source>%1: %2 is outside the range the service accepts (%3 to %4); %5 is used instead.</source>
            <translation>%1：%2 超出了服务接受的范围（%3 至 %4），已改用 %5。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="357" />
            <source>The on-device model (%1) understands English only. For other languages choose “Best for the language” or whisper base on the Engine tab, or Alibaba Cloud.</source>
            <translation>本机模型（%1）只能识别英语。如需其他语言，请在“引擎”页选择“按语言自动选择”或 whisper base，或使用阿里云。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="365" />
            <source>Chinese and English ticked: each sentence is written in one of them. On this device English words inside Chinese speech are often missed; Alibaba Cloud handles mixed speech.</source>
            <translation>已勾选中文和英文：每句按其中一种语言写出。在本机识别时，中文里夹杂的英文单词常会漏掉或写错；中英混说请用阿里云。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recognition_panel.py" line="421" />
            <source>Invalid setting: %1</source>
            <translation>设置无效：%1</translation>
        </message>
    </context>
    <context>
        <name>RecoveryDialog</name>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="105" />
            <source>Recover captions</source>
            <translation>恢复字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="105" />
            <source>Recover earlier session</source>
            <translation>恢复较早的会话</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="109" />
            <source>Every session's captions are kept in its journal until the retention setting (File → Keep finished sessions) deletes it, including sessions you dismissed. Open one to view and export it.</source>
            <translation>每个会话的字幕都保存在它的日志中，直到保留期限设置（文件 → 保留已结束的会话）将其删除，包括你已忽略的会话。打开一个会话即可查看和导出。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="114" />
            <source>Captioner did not finish these sessions (it may have been closed unexpectedly). Their captions were saved as they arrived. Recover one to view and export it.</source>
            <translation>以下会话没有正常结束（Captioner 可能被意外关闭）。字幕在生成时已经保存。恢复后即可查看和导出。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="129" />
            <source>Open</source>
            <translation>打开</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="134" />
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/recovery.py" line="168" />
            <source>%1 — %n sentence(s)</source>
            <translation>
                <numerusform>%1 — %n 句</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="170" />
            <source>(the last one unfinished)</source>
            <translation>（最后一句未说完）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="172" />
            <source>closed</source>
            <translation>已关闭</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="129" />
            <source>Recover</source>
            <translation>恢复</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="131" />
            <source>Dismiss</source>
            <translation>忽略</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/recovery.py" line="134" />
            <source>Not now</source>
            <translation>以后再说</translation>
        </message>
    </context>
    <context>
        <name>SourcePicker</name>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="52" />
            <location filename="../../captioner/ui/source_picker.py" line="57" />
            <source>Microphone</source>
            <extracomment>Peak below this (about -50 dBFS) counts as "nothing heard". Audio of a dead microphone (digital silence) before the warning shows. Audio with nothing heard, but not dead (room noise), before the warning shows; also the wait for system audio, which is digitally silent whenever nothing plays. The device lists were (re)read; the argument is the InputList.</extracomment>
            <translation>麦克风</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="53" />
            <source>System audio (what this computer plays)</source>
            <translation>系统声音（电脑正在播放的声音）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="54" />
            <source>Microphone and system audio</source>
            <translation>麦克风和系统声音</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="55" />
            <source>Demo recording</source>
            <translation>演示录音</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="59" />
            <source>System audio source</source>
            <translation>系统声音来源</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="62" />
            <source>Look for devices again</source>
            <translation>重新查找设备</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="65" />
            <source>Test input</source>
            <translation>测试输入</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="67" />
            <source>Listen to the chosen input to check its level, without captioning</source>
            <translation>收听所选输入以检查音量，不生成字幕</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="80" />
            <source>Listen to:</source>
            <translation>收听：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="81" />
            <source>Microphone:</source>
            <translation>麦克风：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="82" />
            <source>System audio:</source>
            <translation>系统声音：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="88" />
            <source>Level:</source>
            <translation>音量：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="139" />
            <source>Audio devices could not be listed: %1</source>
            <translation>无法列出音频设备：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="158" />
            <source>System default</source>
            <translation>系统默认</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="158" />
            <source>System default: %1</source>
            <translation>系统默认：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="162" />
            <source> (default)</source>
            <translation>（默认）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="213" />
            <source>No audio detected. Is something playing? Check that the right output's monitor is chosen.</source>
            <translation>没有检测到声音。是否有声音在播放？请检查是否选择了正确的输出监听源。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/source_picker.py" line="214" />
            <source>No audio detected. Check that the microphone is connected, not muted, and chosen here.</source>
            <translation>没有检测到声音。请检查麦克风是否已连接、未静音，并已在此处选中。</translation>
        </message>
    </context>
    <context>
        <name>Status</name>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="19" />
            <source>Ready</source>
            <translation>就绪</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="20" />
            <source>Starting…</source>
            <translation>正在启动…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="21" />
            <source>Listening</source>
            <translation>正在聆听</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="22" />
            <source>Reconnecting…</source>
            <translation>正在重新连接…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="23" />
            <source>Finishing the last sentence…</source>
            <translation>正在完成最后一句…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="24" />
            <source>Stopped</source>
            <translation>已停止</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="25" />
            <source>Error</source>
            <translation>错误</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="40" />
            <location filename="../../captioner/ui/status_text.py" line="42" />
            <source>final after</source>
            <translation>定稿延迟</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="41" />
            <source>first result after</source>
            <translation>首包延迟</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="43" />
            <source>last reconnect took</source>
            <translation>上次重连耗时</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="50" />
            <source>RTF %1</source>
            <translation>实时率 %1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="53" />
            <source>%1 behind</source>
            <translation>落后 %1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="56" />
            <source>reconnected %1×</source>
            <translation>已重连 %1 次</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/status_text.py" line="59" />
            <source>audio dropped</source>
            <translation>有音频丢失</translation>
        </message>
    </context>
    <context>
        <name>TranscriptFiles</name>
        <message numerus="yes">
            <location filename="../../captioner/ui/transcript_files.py" line="135" />
            <source>%n sentence(s) have not been exported.</source>
            <translation>
                <numerusform>有 %n 句尚未导出。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/transcript_files.py" line="210" />
            <source>Recovered %n sentence(s); export them with File → Export.</source>
            <translation>
                <numerusform>已恢复 %n 句；可通过 文件 → 导出 保存。</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>TranscriptModel</name>
        <message>
            <location filename="../../captioner/ui/transcript_model.py" line="101" />
            <source>[not captioned: %1 s]</source>
            <extracomment>One row: a final, or a gap marker. Custom roles: the Sentence (or Gap) itself, and its begin time in ms (for sorting and seeking). The roles data() answers; the view asks for 11 per row it paints (font, colours, check state...), and those it does not answer are turned away before anything else.</extracomment>
            <translation>[未生成字幕：%1 秒]</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_model.py" line="105" />
            <source>Audio was dropped here because recognition could not keep up</source>
            <translation>识别跟不上，这里的音频被丢弃了</translation>
        </message>
    </context>
    <context>
        <name>TranscriptView</name>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="236" />
            <source>Search the transcript</source>
            <extracomment>Repaint rate when the screen does not say its refresh rate. Flags the delegate uses for every row painted, combined once (Python enum operators are slow). Row sizes by text, for one width and font: the list lays out every row again whenever a row is added, so each text is measured once, not once per final. The user asked to export (the window owns the dialog and the file writing). Finals not yet in any exported file (the window asks before they are lost).</extracomment>
            <translation>搜索文稿</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="240" />
            <source>Export…</source>
            <translation>导出…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="241" />
            <source>Save the transcript as SRT, WebVTT, text or JSON</source>
            <translation>将文稿保存为 SRT、WebVTT、文本或 JSON</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="250" />
            <source>Transcript</source>
            <translation>文稿</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="252" />
            <source>Copy with times</source>
            <translation>连同时间复制</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="256" />
            <source>Select all</source>
            <translation>全选</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="278" />
            <source>Being spoken</source>
            <translation>识别中</translation>
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/transcript_view.py" line="357" />
            <source>%n sentence(s)</source>
            <translation>
                <numerusform>%n 句</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="390" />
            <source>SubRip subtitles (*.srt)</source>
            <translation>SubRip 字幕 (*.srt)</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="391" />
            <source>WebVTT subtitles (*.vtt)</source>
            <translation>WebVTT 字幕 (*.vtt)</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="392" />
            <source>Plain text (*.txt)</source>
            <translation>纯文本 (*.txt)</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/transcript_view.py" line="393" />
            <source>JSON transcript (*.json)</source>
            <translation>JSON 文稿 (*.json)</translation>
        </message>
    </context>
    <context>
        <name>TrayIcon</name>
        <message>
            <location filename="../../captioner/ui/tray.py" line="46" />
            <source>Captioner</source>
            <translation>Captioner 实时字幕</translation>
        </message>
    </context>
    <context>
        <name>VocabularyDialog</name>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="84" />
            <source>Hot-word vocabularies</source>
            <extracomment>Someone is waiting in front of the dialog: one quick retry, then say what is wrong. The user chose this vocabulary for recognition ("Use"). The list's first fetch, started by whoever opens the dialog (awaited by tests).</extracomment>
            <translation>热词表</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="92" />
            <source>Alibaba Cloud Model Studio (%1)</source>
            <translation>阿里云百炼（%1）</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="94" />
            <source>A custom REST base URL, e.g. http://127.0.0.1:8765/api/v1; empty for Alibaba Cloud.</source>
            <translation>自定义 REST 基础 URL，例如 http://127.0.0.1:8765/api/v1；留空则使用阿里云。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="96" />
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="102" />
            <source>Vocabularies</source>
            <translation>热词表</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="104" />
            <source>Word</source>
            <translation>词语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="104" />
            <source>Weight</source>
            <translation>权重</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="107" />
            <source>Add word</source>
            <translation>添加词语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="108" />
            <source>Remove word</source>
            <translation>删除词语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="109" />
            <source>Target model: %1</source>
            <translation>目标模型：%1</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="111" />
            <source>lowercase letters and digits, e.g. meeting</source>
            <translation>小写字母和数字，例如 meeting</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="113" />
            <source>Create new</source>
            <translation>新建</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="114" />
            <source>Save words</source>
            <translation>保存词语</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="115" />
            <source>Delete</source>
            <translation>删除</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="116" />
            <source>Use</source>
            <translation>使用</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="117" />
            <source>Put this vocabulary's id in the Recognition settings.</source>
            <translation>将此热词表的 ID 填入识别设置。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="122" />
            <source>Details</source>
            <translation>详细信息</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="133" />
            <source>Vocabularies:</source>
            <translation>热词表：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="140" />
            <source>Words:</source>
            <translation>词语：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="149" />
            <source>New vocabulary prefix:</source>
            <translation>新热词表前缀：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="160" />
            <source>Service:</source>
            <translation>服务：</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="264" />
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="267" />
            <source>%1 failed: %2</source>
            <translation>%1失败：%2</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="268" />
            <source>The service address is not a valid URL (for example http://127.0.0.1:8765/api/v1).</source>
            <translation>服务地址不是有效的 URL（例如 http://127.0.0.1:8765/api/v1）。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="280" />
            <source>Listing vocabularies…</source>
            <translation>正在列出热词表…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="288" />
            <source>Created %1, changed %2, status %3</source>
            <translation>创建于 %1，修改于 %2，状态 %3</translation>
        </message>
        <message numerus="yes">
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="297" />
            <source>%n vocabulary(ies).</source>
            <translation>
                <numerusform>%n 个热词表。</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="311" />
            <source>Loading %1…</source>
            <translation>正在加载 %1…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="316" />
            <source>%1: %2 word(s) for %3, status %4</source>
            <translation>%1：%2 个词语，用于 %3，状态 %4</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="327" />
            <source>Creating…</source>
            <translation>正在创建…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="331" />
            <source>Created %1.</source>
            <translation>已创建 %1。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="339" />
            <source>Saving…</source>
            <translation>正在保存…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="341" />
            <source>Saved %1.</source>
            <translation>已保存 %1。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="349" />
            <source>Deleting…</source>
            <translation>正在删除…</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="355" />
            <source>Deleted %1.</source>
            <translation>已删除 %1。</translation>
        </message>
        <message>
            <location filename="../../captioner/ui/vocabulary_dialog.py" line="362" />
            <source>%1 is now used for recognition.</source>
            <translation>识别现在使用 %1。</translation>
        </message>
    </context>
</TS>