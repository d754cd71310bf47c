"""Stand-ins for `torch`, `torchvision` and `torchsummary`, found through `sys.path` by processes that
`python -m ember.compat` starts fresh (see `ember.compat`). Imported as `ember.compat._stubs` this
package does nothing: its folder is what goes on the path."""
