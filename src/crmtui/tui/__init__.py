"""The Textual app: the app, its stylesheet and bindings, full screens, dialogs and reusable widgets."""
