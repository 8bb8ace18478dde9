"""What is sent to DataCite: payload, restricted-record policy, fingerprint."""
