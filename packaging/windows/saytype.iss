; Inno Setup script for Saytype on Windows (per-user install, no administrator rights).
;
; Not built in this project's CI (it has no Windows machine). On Windows:
;   1. py -3.11 -m venv build\bundle-venv
;      build\bundle-venv\Scripts\pip install . pyinstaller
;   2. build\bundle-venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\pyinstaller\saytype.spec
;      -> dist\saytype\ with saytype.exe (command line) and saytype-gui.exe (no console window)
;   3. "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.2.0 packaging\windows\saytype.iss
;      -> dist\saytype-0.2.0-setup.exe
; Pass the version of app\_version.py as AppVersion.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Saytype"
#define BundleDir "..\..\dist\saytype"

[Setup]
; A fixed AppId keeps upgrades and the uninstaller tied to this application.
AppId={{6F0C2C1E-3B8A-4C55-9E61-5A7D2F3B9C41}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Saytype developers
DefaultDirName={localappdata}\Programs\Saytype
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=saytype-{#AppVersion}-setup
SetupIconFile=..\..\build\pyinstaller\saytype.ico
UninstallDisplayIcon={app}\saytype-gui.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Add {app} to the user's PATH so that `saytype transcribe …` works in a terminal.
ChangesEnvironment=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add Saytype to PATH (for the saytype command)"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\saytype-gui.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\saytype-gui.exe"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; \
    ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\saytype-gui.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; Ask a running Saytype to quit before its files are removed.
Filename: "{app}\saytype.exe"; Parameters: "quit"; Flags: runhidden; RunOnceId: "QuitSaytype"

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Current: string;
begin
  if not RegQueryStringValue(HKCU, 'Environment', 'Path', Current) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Current) + ';') = 0;
end;
