//! Station 5b: `multipart/form-data` bodies are sent as multipart.
//!
//! progenitor 0.15 cannot express multipart bodies. The normalizer gives such an
//! operation a form-typed body instead (so progenitor generates the typed builder, the
//! body struct, the response and error types), with binary fields as `Vec<u8>`. Here
//! the body call of that operation's `send()` — `.form_urlencoded(&body)?` — becomes
//! `.multipart(crate::multipart::form(&body, &[file fields])?)`, which sends each field
//! as a part and each file field as a file part.

use syn::visit_mut::VisitMut;
use syn::{Expr, ImplItem, Item};

use crate::normalize::{pascal_case, MultipartOperation};

fn canon(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

struct ReplaceFormBody<'a> {
    file_fields: &'a [String],
    replaced: usize,
}

impl VisitMut for ReplaceFormBody<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::Try(try_expr) = expr {
            if let Expr::MethodCall(call) = &*try_expr.expr {
                if call.method == "form_urlencoded" && call.args.len() == 1 {
                    let receiver = &call.receiver;
                    let body = &call.args[0];
                    let fields = self.file_fields.iter().map(String::as_str);
                    *expr = syn::parse_quote! {
                        #receiver.multipart(crate::multipart::form(#body, &[#(#fields),*])?)
                    };
                    self.replaced += 1;
                    return;
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// Rewrite the `send()` of each multipart operation's builder. Returns the file and the
/// names of the operations whose body call was not found (left as generated).
pub fn multipart_bodies(
    mut file: syn::File,
    operations: &[MultipartOperation],
) -> (syn::File, Vec<String>) {
    let mut done = Vec::new();
    for item in &mut file.items {
        let Item::Mod(module) = item else { continue };
        if module.ident != "builder" {
            continue;
        }
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            let syn::Type::Path(ty) = &*imp.self_ty else {
                continue;
            };
            let Some(last) = ty.path.segments.last() else {
                continue;
            };
            let ident = canon(&last.ident.to_string());
            let Some(op) = operations
                .iter()
                .find(|o| canon(&pascal_case(&o.name)) == ident)
            else {
                continue;
            };
            for impl_item in &mut imp.items {
                let ImplItem::Fn(f) = impl_item else { continue };
                if f.sig.ident != "send" {
                    continue;
                }
                let mut visitor = ReplaceFormBody {
                    file_fields: &op.file_fields,
                    replaced: 0,
                };
                visitor.visit_block_mut(&mut f.block);
                if visitor.replaced == 1 {
                    done.push(op.name.clone());
                }
            }
        }
    }
    let missing = operations
        .iter()
        .filter(|o| !done.contains(&o.name))
        .map(|o| o.name.clone())
        .collect();
    (file, missing)
}
