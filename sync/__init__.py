"""The sync engine: the Qt-free library between the desktop inbox and the practice server.

    api = ApiClient("https://clinic.example")          # sync.api
    api.login("dr.rivera", password)
    cache = Cache.open_for_account(path, account)       # sync.cache: encrypted, key in keyring
    engine = SyncEngine(cache, api, listener)           # sync.engine: pull + push threads
    engine.start()
    cache.search("intake form")                         # reads never touch the network
    engine.send_new(["person:<id>"], subject, body_html, [engine.attach(file)["id"]])

Everything the engine reports arrives at `listener` as the events of sync.events.
"""
