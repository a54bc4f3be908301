; Per-machine Windows installer of Practice Inbox (Inno Setup 6). Built on Windows, after the
; bundle, from the repository's root:
;
;     .venv\Scripts\python packaging\build.py
;     iscc /DAppVersion=0.1.0 packaging\windows\practice-inbox.iss
;
; It installs dist\practice-inbox\ into Program Files, adds a Start-menu entry, and optionally
; starts the inbox when any user signs in (a shortcut in the common Startup folder). Each user can
; also turn "Start when I sign in to this computer" on or off in the inbox's settings, which
; writes that user's HKCU\...\Run value instead. Per-user data (cache, settings, logs) lives in
; the user's own folders and is kept on uninstall.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Practice Inbox"
#define AppExe "practice-inbox.exe"

[Setup]
AppId={{6C2EA2F7-B7E1-4469-91EE-69460FEAACBD}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=practice-inbox-{#AppVersion}-setup
SetupIconFile=build\icons\practice-inbox.ico
UninstallDisplayIcon={app}\{#AppExe}
CloseApplications=yes
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "startatlogin"; Description: "Start Practice Inbox when anyone signs in to this computer"; Flags: unchecked

[InstallDelete]
; An update replaces the whole bundle, so no file of the previous version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "dist\practice-inbox\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{commonstartup}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: startatlogin

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName} now"; Flags: nowait postinstall skipifsilent runasoriginaluser
