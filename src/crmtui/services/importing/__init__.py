"""`crm import`: a rep's book brought in from a spreadsheet, another CRM's export or a phone's contacts.

readers.py reads the files (CSV in the encodings Excel and WPS save, XLSX, vCard) a row at a time and writes refused
rows back in the file's own format; mapping.py says which column is which field (headers in English and Chinese,
the layouts of common exports, a saved TOML mapping); run.py checks each row with the same rules as `crm add`,
finds duplicates, and writes the good rows in bulk with their outbox entries.
"""
